import fs from "node:fs";
import path from "node:path";
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
  "test/cache.test.ts",
  "test/cli*.test.ts",
  "test/concurrent.test.ts",
  "test/corpus.test.ts",
  "test/extract-parse.test.ts",
  "test/failed-build.test.ts",
  "test/git.test.ts",
  "test/images.test.ts",
  "test/init.test.ts",
  "test/limits.test.ts",
  "test/lock.test.ts",
  "test/new.test.ts",
  "test/pack.test.ts",
  "test/report.test.ts",
  "test/search-index.test.ts",
  "test/search-words.test.ts",
  "test/theme.test.ts",
  "test/write.test.ts",
];

/** What both projects share; not through `extends: true`, which would run the global setup again for each project. */
const common = { testTimeout: 60_000, hookTimeout: 120_000 };

export default defineConfig({
  test: {
    // Once, before any test file of any project.
    globalSetup: ["test/global-setup.ts"],
    // Two files at a time (vitest's default is one on a 2-core machine): many tests wait on a
    // child process, a server or Chromium.
    maxWorkers: 2,
    projects: [
      {
        plugins: [clientRootDirs()],
        test: { ...common, name: "unit", include: ["test/**/*.test.ts"], exclude: E2E, isolate: false, setupFiles: ["test/unit-setup.ts"] },
      },
      { plugins: [clientRootDirs()], test: { ...common, name: "e2e", include: E2E } },
    ],
  },
});
