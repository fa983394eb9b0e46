// npm run bench: builds synthetic archives of 1,000 and 10,000 postmortems (../shared/bench/
// gen-corpus.mjs) with the compiled CLI and prints wall time, peak memory, the slow stages,
// the search index's build time against Pagefind's measured 37 s, and a first query's cost in
// headless Chromium. A benchmark, not a test: the machine is shared and noisy, compare ratios.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..", "..");
const generator = path.resolve(root, "..", "shared", "bench", "gen-corpus.mjs");
const sizes = (process.env.BENCH_SIZES ?? "1000,10000").split(",").map(Number);
const PAGEFIND_10K_SECONDS = 37; // ../shared/bench/README.txt: Pagefind's Node API, 10,000 postmortems
const work = fs.mkdtempSync(path.join(os.tmpdir(), "hindsight-bench-"));

console.log(`Hindsight benchmark, ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores, Node ${process.version}`);
for (const size of sizes) {
  const dir = path.join(work, String(size));
  execFileSync(process.execPath, [generator, String(size), dir], { stdio: "ignore" });
  const time = spawnSync("/usr/bin/time", ["-f", "%e %M", process.execPath, path.join(root, ".build/cli.js"), "build", "--offline", "--verbose"], { cwd: dir, encoding: "utf8", maxBuffer: 1 << 30 });
  const [wall, rssKb] = time.stderr.trim().split("\n").pop().split(" ").map(Number);
  const stages = Object.fromEntries([...time.stdout.matchAll(/^\s+(\w+)\s+(\d+) ms$/gm)].map((m) => [m[1], Number(m[2])]));
  const built = /Built ([\d,]+) postmortems/.exec(time.stdout)?.[1];
  console.log(`\n${size.toLocaleString("en")} postmortems (${built} built, drafts left out)`);
  console.log(`  cold build      ${wall.toFixed(2)} s, peak RSS ${Math.round(rssKb / 1024)} MB, ${((wall * 1000) / size).toFixed(1)} ms per postmortem`);
  console.log(`  stages          ${Object.entries(stages).map(([s, ms]) => `${s} ${ms} ms`).join(", ")}`);
  const search = (stages.search ?? 0) / 1000;
  console.log(`  search index    ${search.toFixed(2)} s (Pagefind, 10,000: ${PAGEFIND_10K_SECONDS} s; ratio at this size ${(search / ((PAGEFIND_10K_SECONDS * size) / 10_000)).toFixed(3)})`);
  const query = spawnSync(process.execPath, [path.join(root, "test/bench/search-query.mjs"), path.join(dir, "dist")], { encoding: "utf8" });
  for (const line of (query.stdout || query.stderr).trim().split("\n")) console.log(`  ${line}`);
}
fs.rmSync(work, { recursive: true, force: true });
