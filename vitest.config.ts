import fs from "node:fs";
import path from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";
import { defineConfig, type Plugin } from "vitest/config";

/**
 * tsconfig.client.json's rootDirs, for the tests that import the browser's modules from src/: a
 * module under src/client/ imports one under src/shared/ as its sibling (`./format.js` for
 * src/shared/search/format.ts), as the browser, which gets the two folders as one, does.
 */
function clientRootDirs(): Plugin {
  const client = path.resolve(import.meta.dirname, "src", "client");
  const shared = path.resolve(import.meta.dirname, "src", "shared");
  return {
    name: "hindsight:client-root-dirs",
    enforce: "pre",
    resolveId(source, importer) {
      if (!source.startsWith(".") || !importer?.startsWith(client + path.sep)) return null;
      const own = path.resolve(path.dirname(importer), source).replace(/\.js$/, ".ts");
      if (!own.startsWith(client + path.sep) || fs.existsSync(own)) return null;
      const twin = path.join(shared, path.relative(client, own));
      return fs.existsSync(twin) ? twin : null;
    },
  };
}

/**
 * The end-to-end tier: tests that run the compiled CLI or another child process, drive Chromium,
 * serve `hindsight dev`, or build or check the real archives (../shared/corpus, the starter
 * archive in content/). Every other test file is in the unit tier: in-process, on small made-up
 * input, run by `npm run test:unit` in well under 30 seconds. A new test file is a unit test
 * unless it is listed here.
 */
const E2E = [
  "test/e2e/**/*.test.ts",
  "test/agreement.test.ts",
  "test/build.e2e.test.ts",
  "test/cache/build-cache.test.ts",
  "test/cli/**/*.test.ts",
  "test/corpus.test.ts",
  "test/extract/parse.test.ts",
  "test/failed-build.test.ts",
  "test/images/images.test.ts",
  "test/init/init.test.ts",
  "test/limits.test.ts",
  "test/new.test.ts",
  "test/pack.test.ts",
  "test/report/report.test.ts",
  "test/search/words.test.ts",
  "test/stages/git.test.ts",
  "test/stages/headings.test.ts",
  "test/stages/markdown.test.ts",
  "test/stages/subset.test.ts",
  "test/stages/git-safety.test.ts",
  "test/theme.test.ts",
  "test/write/concurrent.test.ts",
  "test/write/in-place.test.ts",
  "test/write/lock.test.ts",
  "test/write/write.test.ts",
];

/**
 * About how many seconds the slowest test files take on a quiet 2-core machine (`npm test
 * -- --reporter=json`). They start first: files run a few at a time, and the run ends when the
 * last one does, so one of these started late makes the run longer by its whole length.
 * Vitest's own order puts the slowest first only from the results of an earlier run, which a
 * fresh clone (CI) does not have.
 */
const SLOWEST: Readonly<Record<string, number>> = {
  "test/limits.test.ts": 53,
  "test/init/init.test.ts": 47,
  "test/pack.test.ts": 47,
  "test/agreement.test.ts": 43,
  "test/cli/fuzz-budgets.test.ts": 40,
  "test/e2e/dev.test.ts": 34,
  "test/e2e/browser.test.ts": 21,
  "test/write/concurrent.test.ts": 19,
  "test/write/lock.test.ts": 19,
  "test/e2e/a11y.test.ts": 18,
  "test/cache/build-cache.test.ts": 18,
  "test/property.test.ts": 15,
  "test/regressions.test.ts": 14,
  "test/e2e/xss.test.ts": 12,
  "test/corpus.test.ts": 10,
};

/** A test file's path from the repository root, with `/`. */
const fromRoot = (file: string) =>
  path
    .relative(import.meta.dirname, file)
    .split(path.sep)
    .join("/");

/** The files of SLOWEST first, slowest first, whatever their project; the rest in vitest's order after them. */
class SlowestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const weight = (file: TestSpecification) => SLOWEST[fromRoot(file.moduleId)] ?? 0;
    // Array.prototype.sort is stable: the rest keep vitest's order.
    return (await super.sort(files)).sort((a, b) => weight(b) - weight(a));
  }
}

/** What both projects share; not through `extends: true`, which would run the global setup again for each project. */
const common = {
  testTimeout: 60_000,
  hookTimeout: 120_000,
  // The files of a worker run one after another in one process, without importing the Markdown
  // stack and the rest of src/ again for each (about 2 s of CPU a file): a test file leaves no
  // state behind (no mocks, no process-wide settings), and each gets a TMPDIR of its own.
  isolate: false,
  setupFiles: ["test/file-setup.ts"],
};

export default defineConfig({
  test: {
    // Once, before any test file of any project.
    globalSetup: ["test/global-setup.ts"],
    // Three files at a time on a 2-core machine (vitest's default is one): many tests wait on a
    // child process, a server, Chromium or a clock, and the CPU would idle meanwhile.
    maxWorkers: 3,
    sequence: { sequencer: SlowestFirst },
    projects: [
      {
        plugins: [clientRootDirs()],
        test: { ...common, name: "unit", include: ["test/**/*.test.ts"], exclude: E2E },
      },
      { plugins: [clientRootDirs()], test: { ...common, name: "e2e", include: E2E } },
    ],
  },
});
