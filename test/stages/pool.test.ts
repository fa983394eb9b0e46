import fs from "node:fs";
import path from "node:path";
import v8 from "node:v8";
import vm from "node:vm";
import { describe, expect, it } from "vitest";
import { analyze } from "../../src/analyze.js";
import { build } from "../../src/build.js";
import { check } from "../../src/check.js";
import { loadProjectConfig } from "../../src/project.js";
import { analyzeInWorkers } from "../../src/stages/pool.js";
import { discover, readUnread } from "../../src/stages/discover.js";
import type { WorkerResult } from "../../src/stages/worker.js";
import { BuildBudget } from "../../src/util/budget.js";
import { RecordCache } from "../../src/cache/records.js";
import { numberedArchive, repoRoot, tempDir } from "../helpers.js";

// Postmortems processed in worker threads (src/stages/pool.ts): how many threads, what a worker
// may take, and what the main thread keeps of their records.
describe("processing in worker threads", () => {
  it("keeps the records made in worker threads in one hidden class: a copy made by spreading took one each, 400 bytes a postmortem", async () => {
    // A few hundred: the copies made by spreading shared their class at first, then each took its own.
    const root = numberedArchive(300);
    const config = await loadProjectConfig({ root });
    const { entries } = await analyze(config, await discover(config), { offline: true, cache: true, settings: "hidden-class", workers: 2 });
    v8.setFlagsFromString("--allow-natives-syntax");
    const sameMap = vm.runInThisContext("(a, b) => %HaveSameMap(a, b)") as (a: object, b: object) => boolean;
    // Those stored in the cache, whose bodies and terms were let go (one whose file has an error is kept whole, as the worker gave it).
    const stored = entries.map((entry) => entry.record).filter((record) => record.terms === undefined);
    expect(stored.length).toBeGreaterThan(2);
    expect(stored.filter((record) => !sameMap(record, stored[0]!)).map((record) => record.relPath)).toEqual([]);
  });

  it("refuses a postmortem that does not fit in a worker's heap as an error at its file, not in the main thread (issue 13)", async () => {
    const root = tempDir();
    const valid = fs.readFileSync(path.join(repoRoot, "test/fixtures/rules/valid/input.md"), "utf8");
    fs.mkdirSync(path.join(root, "content"));
    for (const name of ["a", "b", "c"]) fs.writeFileSync(path.join(root, "content", `${name}.md`), valid.replace("Cache flush", `Cache flush ${name}`));
    const list = Array.from({ length: 20_000 }, (_, i) => `- item ${i} [x](https://example.com/${i})\n`).join("");
    fs.writeFileSync(path.join(root, "content", "big.md"), valid.replace("A flush.", `A flush.\n\n${list}`));
    // A heap big enough for the others (the Markdown stack takes about 10 MB), not for this one; the time limit is not what this test is about.
    // Two workers for four postmortems, as HINDSIGHT_WORKERS asks (without it, so few are processed in this thread).
    process.env.HINDSIGHT_WORKER_HEAP_MB = "48";
    process.env.HINDSIGHT_WORKERS = "2";
    try {
      const result = await build({ root, offline: true, cache: false, limits: { fileMs: 120_000 } });
      expect(result.ok).toBe(false);
      const messages = result.files.flatMap((f) => f.messages.map((m) => `${path.basename(f.path)} ${m.ruleId}`));
      expect(messages).toEqual(["big.md limits/memory"]);
    } finally {
      delete process.env.HINDSIGHT_WORKER_HEAP_MB;
      delete process.env.HINDSIGHT_WORKERS;
    }
  });

  it("says what is wrong with HINDSIGHT_WORKERS before doing anything", async () => {
    const root = numberedArchive(3);
    for (const value of ["two", "-1", "1.5", "9"]) {
      process.env.HINDSIGHT_WORKERS = value;
      try {
        await expect(check({ root })).rejects.toThrow(`HINDSIGHT_WORKERS must be a whole number from 0 to 8, not ${JSON.stringify(value)}`);
      } finally {
        delete process.env.HINDSIGHT_WORKERS;
      }
    }
    expect(fs.existsSync(path.join(root, ".cache"))).toBe(false);
  });

  it("stores each record in the worker, and sends a stored record back without its body and terms unless bodies are held", async () => {
    const root = numberedArchive(6);
    const config = await loadProjectConfig({ root });
    const sources = (await discover(config)).map((source) => readUnread(source, config.limits.fileBytes));
    const place = new RecordCache(config.cacheDir, config.root).place;
    const run = async (holdsBodies: boolean) => {
      const results: WorkerResult[] = [];
      const options = { mode: "build" as const, offline: true, threads: 2, budget: new BuildBudget(config.limits) };
      const cache = { place, holdsBodies, keyAt: (n: number) => String(n).padStart(64, "0") };
      await analyzeInWorkers(
        sources.length,
        (n) => sources[n]!,
        config,
        { ...options, cache },
        (n, result) => (results[n] = result),
      );
      return results;
    };
    for (const result of await run(false)) {
      expect(result.entry?.line).toContain(`"relPath":"${result.record.relPath}"`);
      expect(result.record.contents).toBeUndefined();
      expect(result.record.terms).toBeUndefined();
      expect(result.record.body).toBeDefined();
    }
    for (const result of await run(true)) {
      expect(result.entry?.line).toBeDefined();
      expect(result.record.contents?.html).toContain("stalled");
      expect(result.record.terms).toBeDefined();
    }
    expect(fs.readdirSync(place.recordsDir, { recursive: true }).filter((name) => String(name).endsWith(".json"))).toHaveLength(6);
  });
});
