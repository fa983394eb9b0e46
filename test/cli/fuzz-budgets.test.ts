import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mustFailWith, recipe, textOf, validPostmortem, type Recipe } from "../fuzz-markdown.js";
import { repoRoot, tempDir } from "../helpers.js";

// The fuzzing of test/cli/fuzz.test.ts, against issue 13's budgets: same seed and time limit.
const SEED = Number(process.env.FUZZ_SEED ?? 20261124);
const TIME_LIMIT = Number(process.env.FUZZ_TIME_MS ?? 100_000);

// Issue 13's budgets: pathological postmortems (test/fuzz-markdown.ts) beside a valid one, with a
// small time budget so that each run is bounded. Whatever the input, a run ends in time with a
// report that names every file it refuses: never a crash (70), a native abort (134), a signal
// or a hang. FUZZ_BUDGET_RUNS sets the random runs (two by default, each two CLI runs, build and check at once),
// FUZZ_FILE_MS the time budget (a larger one lets big inputs reach rendering and writing).
const BUDGET_RUNS = Number(process.env.FUZZ_BUDGET_RUNS ?? 2);
const FILE_MS = Number(process.env.FUZZ_FILE_MS ?? 500);
/** Slack of the wall-clock budget of a run, beyond FILE_MS a file: starting Node, the theme, writing. */
const SLACK_MS = Number(process.env.FUZZ_SLACK_MS ?? 20_000);
/** Extra slack when the archive is processed in worker threads: starting the pool, replacing stopped workers. */
const POOL_SLACK_MS = 20_000;
/** Valid postmortems beside the others in a pool's archive: work for the workers that replace the stopped ones. */
const POOL_PADDING = 15;
/** Rules a refused pathological postmortem may be reported under. */
const BUDGET_RULES = /^(?:limits\/[a-z-]+|content\/too-deep|frontmatter\/[a-z]+|sections\/[a-z-]+)$/;

const budgetArchive = fc.record({
  bad: fc.array(recipe, { minLength: 1, maxLength: 3 }),
  /** In two worker threads (HINDSIGHT_WORKERS), with valid padding: processed in worker threads, stopped and replaced when out of time. */
  pool: fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  format: fc.constantFrom("stylish" as const, "json" as const),
});
type BudgetArchive = typeof budgetArchive extends fc.Arbitrary<infer T> ? T : never;

/**
 * Run first: every kind at its worst (issue 13's findings among them), one over 1 MB, so that
 * each is tried whatever the seed; the random runs then explore sizes and mixes.
 */
const WORST_CASES: BudgetArchive[] = [
  {
    bad: [
      { kind: "emphasis-run", unit: "_a*", bytes: 120_000 },
      { kind: "nested-emphasis", mark: "*", depth: 4_000 },
      { kind: "over-file-bytes", unit: "- a\n", bytes: 1_050_000 },
    ],
    pool: false,
    format: "stylish",
  },
  {
    bad: [
      { kind: "lazy-quote", depth: 130, bytes: 120_000 },
      { kind: "lazy-list", indent: 4, bytes: 120_000 },
      { kind: "markers-on-a-line", count: 60_000 },
    ],
    pool: false,
    format: "json",
  },
  {
    bad: [
      { kind: "indented-list", step: 2, depth: 300 },
      { kind: "open-brackets", unit: "[a](", bytes: 120_000 },
      { kind: "backtick-runs", longest: 480 },
    ],
    pool: false,
    format: "json",
  },
  {
    bad: [
      { kind: "html-nesting", tag: "div", depth: 20_000 },
      { kind: "reference-links", urlBytes: 100_000, uses: 50_000 },
      { kind: "many-tags", count: 20_000 },
    ],
    pool: false,
    format: "stylish",
  },
  {
    bad: [
      { kind: "huge-summary", bytes: 1_000_000, tags: 90 },
      { kind: "yaml-keys", count: 40_000 },
      { kind: "mapping-value", field: "date", value: "{toString: 1}" },
    ],
    pool: true,
    format: "stylish",
  },
  {
    bad: [
      { kind: "flat-list", bytes: 120_000 },
      { kind: "mapping-value", field: "severity", value: "[{toString: 1}]" },
      { kind: "emphasis-run", unit: "*_", bytes: 120_000 },
    ],
    pool: false,
    format: "json",
  },
];

const badName = (r: Recipe, i: number) => `bad-${i}-${r.kind}.md`;

/** A project of the archive, with `limits.fileMs` small; returns its folder. */
function layOutBudget(spec: BudgetArchive): string {
  const project = tempDir("hindsight-budget-");
  const content = path.join(project, "content");
  fs.mkdirSync(content);
  spec.bad.forEach((r, i) => fs.writeFileSync(path.join(content, badName(r, i)), textOf(r, `Bad ${i}`)));
  fs.writeFileSync(path.join(content, "valid.md"), validPostmortem("A valid one"));
  if (spec.pool) for (let i = 0; i < POOL_PADDING; i++) fs.writeFileSync(path.join(content, `pad-${i}.md`), validPostmortem(`Padding ${i}`));
  fs.writeFileSync(path.join(project, "hindsight.config.json"), JSON.stringify({ limits: { fileMs: FILE_MS } }));
  return project;
}

interface TimedRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** Still running at the budget: killed. */
  hung: boolean;
}

/** CLI runs not ended yet: fast-check gives up on a run past its time limit, but its processes must not outlive the test. */
const running = new Set<ChildProcess>();
const stopRunning = () => Promise.all([...running].map((child) => new Promise((resolve) => child.once("close", resolve).kill("SIGKILL"))));

/** Runs the compiled CLI, killed (and reported as hung) if it has not ended within `budgetMs`. */
function runCliWithin(args: string[], cwd: string, budgetMs: number, env: NodeJS.ProcessEnv): Promise<TimedRun> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [path.join(repoRoot, ".build", "cli.js"), ...args], { cwd, env: { ...process.env, NO_COLOR: "1", ...env } });
    running.add(child);
    let stdout = "";
    let stderr = "";
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      child.kill("SIGKILL");
    }, budgetMs);
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", (error) => {
      clearTimeout(timer);
      running.delete(child);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started, hung });
    });
  });
}

/** The rule ids of the errors of each file (by base name), read back from the report. */
function errorsByFile(run: TimedRun, format: "stylish" | "json", output: string): Map<string, string[]> {
  const errors = new Map<string, string[]>();
  const add = (file: string, rule: string) => errors.set(path.basename(file), [...(errors.get(path.basename(file)) ?? []), rule]);
  if (format === "json") {
    let report: { file: string; messages: { severity: string; ruleId?: string }[] }[] = [];
    expect(() => (report = JSON.parse(run.stdout) as typeof report), `a JSON report\n${output}`).not.toThrow();
    for (const entry of report) for (const m of entry.messages) if (m.severity === "error") add(entry.file, m.ruleId ?? "(none)");
    return errors;
  }
  // Stylish (on stdout for check, stderr for build): a line with the file's path, then one indented line a message, its rule id last.
  let file: string | undefined;
  for (const line of `${run.stdout}\n${run.stderr}`.split("\n")) {
    if (/^content\/\S+$/.test(line)) file = line;
    const error = /^\s+\d+:\d+\s+error\s.*\s(\S+)$/.exec(line);
    if (error && file) add(file, error[1]!);
  }
  return errors;
}

const budgetStats = { rules: new Map<string, number>(), slowest: 0 };

/** Runs one command over the archive and checks what every run promises, whatever its input. */
async function budgetRun(spec: BudgetArchive, command: "build" | "check"): Promise<void> {
  const project = layOutBudget(spec);
  const budgetMs = FILE_MS * (spec.bad.length + 1) + SLACK_MS + (spec.pool ? POOL_SLACK_MS : 0);
  const args = command === "build" ? ["build", "--offline", "--out", "out", "--format", spec.format] : ["check", "--format", spec.format];
  const run = await runCliWithin(args, project, budgetMs, spec.pool ? { HINDSIGHT_WORKERS: "2" } : {});
  const recipes = spec.bad.map((r, i) => `${badName(r, i)} ${JSON.stringify(r)}`).join("\n");
  const output = `${command}${spec.pool ? " (worker pool)" : ""}: exit ${run.code}, signal ${run.signal}, ${run.ms} ms\n${recipes}\n${run.stderr.slice(0, 4_000)}\n${run.stdout.slice(0, 4_000)}`;
  budgetStats.slowest = Math.max(budgetStats.slowest, run.ms);

  expect(run.hung, `still running after ${budgetMs} ms: killed\n${output}`).toBe(false);
  expect(run.signal, output).toBeNull();
  expect([0, 1], output).toContain(run.code);
  expect(output).not.toMatch(/internal error/);
  expect(output, "a stack trace").not.toMatch(/^\s+at .*:\d+:\d+\)?$/m);
  if (run.code === 1) expect(run.stderr, output).not.toMatch(/^hindsight: /m);

  const errors = errorsByFile(run, spec.format, output);
  for (const rules of errors.values()) for (const rule of rules) budgetStats.rules.set(rule, (budgetStats.rules.get(rule) ?? 0) + 1);
  // Only the pathological files are refused (a valid one may run out of time on a busy machine, no more).
  for (const [file, rules] of errors) {
    const bad = /^bad-\d+-/.test(file);
    for (const rule of rules) expect(rule, `${file}\n${output}`).toMatch(bad ? BUDGET_RULES : /^limits\/time$/);
  }
  // Each file sure to be refused is named with its rule; an exit of 1 is always explained.
  spec.bad.forEach((r, i) => {
    const rule = mustFailWith(r);
    if (rule) expect(errors.get(badName(r, i)) ?? [], `${badName(r, i)} not refused\n${output}`).toContainEqual(expect.stringMatching(rule));
  });
  expect(run.code === 1, `exit ${run.code} with errors ${JSON.stringify([...errors])}\n${output}`).toBe(errors.size > 0);
  if (command === "build") expect(fs.existsSync(path.join(project, "out", "index.html")), output).toBe(run.code === 0);
}

describe(`the CLI over pathological postmortems, limits.fileMs ${FILE_MS} (seed ${SEED}, ${WORST_CASES.length} worst cases and ${BUDGET_RUNS} random runs of build and check at once)`, () => {
  it(
    "ends within its budget of time with exit 0 or 1, and names every file it refuses with a rule id",
    async () => {
      // Both runs end before the next starts (or the temporary folders go), even when one fails.
      const both = async (spec: BudgetArchive) => {
        for (const result of await Promise.allSettled([budgetRun(spec, "build"), budgetRun(spec, "check")]))
          if (result.status === "rejected") throw result.reason;
      };
      try {
        await fc.assert(
          fc.asyncProperty(budgetArchive, both),
          // No shrinking: each step is two CLI runs, a hang costs its whole budget, and the recipes are short to read as they are.
          {
            seed: SEED,
            numRuns: WORST_CASES.length + BUDGET_RUNS,
            examples: WORST_CASES.map((spec) => [spec]),
            plugins: [fc.interruptAfterTimeLimit(TIME_LIMIT)],
            endOnFailure: true,
          },
        );
      } finally {
        await stopRunning();
      }
      // The generators are worth something only if the time budget, and others, are used.
      const seen = JSON.stringify({ rules: [...budgetStats.rules], slowestMs: budgetStats.slowest });
      expect(budgetStats.rules.get("limits/time") ?? 0, seen).toBeGreaterThan(0);
      expect(budgetStats.rules.size, seen).toBeGreaterThan(2);
    },
    TIME_LIMIT + 60_000,
  );
});
