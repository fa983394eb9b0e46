import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { fromHtml } from "hast-util-from-html";
import { visit } from "unist-util-visit";
import { describe, expect, it } from "vitest";
import { runCliAsync, snapshot, withoutThemeScripts } from "../helpers.js";
import { archive, layOut, SECRET, type Archive } from "./fuzz-archive.js";

// Random archives through the compiled CLI, a child process each (about a second), so the runs
// are few and the seed is fixed: a failure prints its seed and path, FUZZ_SEED replays it, and
// FUZZ_SEED, FUZZ_RUNS and FUZZ_TIME_MS (the time limit of each property) explore further.
const SEED = Number(process.env.FUZZ_SEED ?? 20261124);
const RUNS = Number(process.env.FUZZ_RUNS ?? 10);
const TIME_LIMIT = Number(process.env.FUZZ_TIME_MS ?? 100_000);
const FC = { seed: SEED, numRuns: RUNS, plugins: [fc.interruptAfterTimeLimit(TIME_LIMIT)] };

function options(spec: Archive, command: "build" | "check"): string[] {
  return [...(spec.drafts && command === "build" ? ["--drafts"] : []), ...(spec.strict ? ["--strict"] : []), ...(spec.format ? ["--format", spec.format] : [])];
}

/** What must hold of any run's output streams: a report, never a crash. */
function expectNoCrash(run: { code: number | null; stdout: string; stderr: string }, spec: Archive): void {
  const output = `exit ${run.code}\n${run.stderr}\n${run.stdout}`;
  expect(output).not.toMatch(/internal error/);
  expect(output, "a stack trace").not.toMatch(/\n\s+at (?:async )?\S*.*[(\s](?:file:|node:|\/)\S*:\d+:\d+\)?\n/);
  expect(spec.config?.valid === false ? [2] : [0, 1], output).toContain(run.code);
  // Content problems are reported as messages, not as a failure of Hindsight itself.
  if (run.code === 1) expect(run.stderr, output).not.toMatch(/^hindsight: /m);
}

/** No page can run script: every <script> is the theme's own, no event handler, no script URL. */
function expectNoScript(out: string, files: string[]): void {
  for (const file of files.filter((f) => f.endsWith(".html"))) {
    const html = fs.readFileSync(path.join(out, file), "utf8");
    visit(fromHtml(withoutThemeScripts(html)), "element", (node) => {
      expect(node.tagName, file).not.toBe("script");
      for (const [name, v] of Object.entries(node.properties)) {
        expect(name, file).not.toMatch(/^on/i);
        expect(String(v), `${file} ${name}`).not.toMatch(/^\s*(?:javascript|vbscript|data):/i);
      }
    });
  }
}

const stats = { build: new Map<number | null, number>(), check: new Map<number | null, number>() };
const tally = (map: Map<number | null, number>, code: number | null) => map.set(code, (map.get(code) ?? 0) + 1);

/** Builds one random archive, over a previous output or none, and checks everything a build promises. */
async function fuzzBuild(spec: Archive): Promise<void> {
  const { tmp, project } = layOut(spec);
  const out = path.join(project, "out");
  if (spec.previous) {
    fs.mkdirSync(path.join(out, "postmortems"), { recursive: true });
    fs.writeFileSync(path.join(out, ".hindsight"), "Built by Hindsight.\n");
    fs.writeFileSync(path.join(out, "index.html"), "<p>previous</p>");
    fs.writeFileSync(path.join(out, "postmortems", "old.bin"), Buffer.from([0, 255, 1, 254]));
  }
  const outside = (rel: string) => rel === "project/out" || rel === "project/.cache";
  const before = snapshot(tmp, outside);
  const previous = spec.previous ? snapshot(out) : undefined;

  const run = await runCliAsync(["build", "--offline", "--out", "out", ...options(spec, "build")], project);
  tally(stats.build, run.code);
  expectNoCrash(run, spec);
  expect(snapshot(tmp, outside), "written outside --out").toEqual(before);
  if (run.code === 0) {
    const files = Object.keys(snapshot(out)).filter((f) => !f.endsWith("/"));
    expect(files).toContain(".hindsight");
    expect(files).toContain("index.html");
    for (const file of files) expect(fs.readFileSync(path.join(out, file)).includes(SECRET), `${file} has the sentinel's secret`).toBe(false);
    expectNoScript(out, files);
  } else if (previous) {
    expect(snapshot(out), "previous output changed").toEqual(previous);
  } else {
    expect(fs.existsSync(out)).toBe(false);
  }
}

/** Checks one random archive (all of it, the content folder, or one file by its path): it must write nothing but its cache. */
async function fuzzCheck(spec: Archive): Promise<void> {
  const { tmp, project, content } = layOut(spec);
  const existing = spec.files.map(([rel]) => path.join(content, rel)).filter((file) => fs.existsSync(file));
  const paths = spec.pick === -1 ? [] : spec.pick === 0 ? ["content"] : existing.slice(spec.pick - 1, spec.pick).map((file) => path.relative(project, file));
  const cache = (rel: string) => rel === "project/.cache";
  const before = snapshot(tmp, cache);
  const run = await runCliAsync(["check", ...paths, ...options(spec, "check")], project);
  tally(stats.check, run.code);
  expectNoCrash(run, spec);
  expect(snapshot(tmp, cache), "check wrote something").toEqual(before);
}

// Each run takes two archives and runs the CLI on both at once: the machine has two cores.
describe(`the CLI over random archives (seed ${SEED}, ${RUNS} runs of two archives)`, () => {
  it(
    "build: exits 0 or 1 with a report, writes only inside --out, and on failure leaves the previous output byte for byte",
    async () => {
      await fc.assert(
        fc.asyncProperty(archive, archive, async (a, b) => {
          await Promise.all([fuzzBuild(a), fuzzBuild(b)]);
        }),
        FC,
      );
      // The generators are worth something only if both outcomes happen.
      expect(stats.build.get(0) ?? 0, JSON.stringify([...stats.build])).toBeGreaterThan(2);
      expect(stats.build.get(1) ?? 0, JSON.stringify([...stats.build])).toBeGreaterThan(2);
    },
    TIME_LIMIT + 50_000,
  );

  it(
    "check: exits 0 or 1 with a report and writes nothing at all",
    async () => {
      await fc.assert(
        fc.asyncProperty(archive, archive, async (a, b) => {
          await Promise.all([fuzzCheck(a), fuzzCheck(b)]);
        }),
        { ...FC, numRuns: Math.ceil(RUNS * 0.7) },
      );
      expect(stats.check.get(1) ?? 0, JSON.stringify([...stats.check])).toBeGreaterThan(1);
    },
    TIME_LIMIT + 50_000,
  );
});
