// npm run bench: for archives of 1,000 and 10,000 postmortems (../shared/bench/gen-corpus.mjs),
// builds each with the peers (../shared/bench/peers.sh: Eleventy, Pagefind, Hugo) and with
// Hindsight — cold, warm, and with one postmortem changed — in the same run, and prints wall
// time, peak memory, the ratios to Eleventy+Pagefind against the targets, the slow stages, and
// a first search query in headless Chromium, and how soon `hindsight dev` shows an edit. A
// benchmark, not a test: the machine is shared and noisy, so compare the ratios of one run, not
// absolute times.
// Every build runs with --drafts: the peers build every file. Prints the cores' use (CPU time ÷
// wall time: 2.0 keeps both cores of this machine busy throughout).
//   BENCH_SIZES=1000 npm run bench     only some sizes; BENCH_SIZES=100000 for the largest
//                                      (not in the default run; the peers are left out above 10,000)
//   BENCH_SEED=7 npm run bench         another archive from the generator (default 42)
//   BENCH_PEERS=0 npm run bench        without the peers (no ratios)
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..", "..");
const shared = path.resolve(root, "..", "shared", "bench");
const sizes = (process.env.BENCH_SIZES ?? "1000,10000").split(",").map(Number);
const seed = process.env.BENCH_SEED ?? "42";
const peersWanted = (size) => process.env.BENCH_PEERS === "1" || (process.env.BENCH_PEERS !== "0" && size <= 10_000);
const PAGEFIND_10K_SECONDS = 37; // ../shared/bench/README.txt: Pagefind's Node API, 10,000 postmortems
// Issue 17: ratios to Eleventy+Pagefind in the same run, and absolute bounds at 100,000.
const TARGETS = { cold: 0.7, warm: 0.1, changed: 0.1 };
const MEMORY_TARGET_MB = { 1000: 600, 10000: 600, 100000: 1500 };
const WARM_100K_SECONDS = 10;
const FIRST_QUERY_100K_KB = 300;
const work = fs.mkdtempSync(path.join(os.tmpdir(), "hindsight-bench-"));
const cli = path.join(root, ".build", "cli.js");

/** Runs Hindsight's build in a folder: wall seconds, peak RSS in MB, cores' use, stage timings, summary. */
function hindsight(dir) {
  const run = spawnSync("/usr/bin/time", ["-f", "%e %M %U %S", process.execPath, cli, "build", "--offline", "--drafts", "--verbose"], {
    cwd: dir,
    encoding: "utf8",
    maxBuffer: 1 << 30,
  });
  if (run.status !== 0) throw new Error(`hindsight build failed in ${dir}:\n${run.stderr.slice(-2000)}`);
  const [wall, rssKb, user, sys] = run.stderr.trim().split("\n").pop().split(" ").map(Number);
  const stages = Object.fromEntries([...run.stdout.matchAll(/^\s+(\w+)\s+(\d+) ms$/gm)].map((m) => [m[1], Number(m[2])]));
  return { wall, mb: Math.round(rssKb / 1024), cores: (user + sys) / wall, stages, summary: /^Built .*$/m.exec(run.stdout)?.[0] ?? "" };
}

/** The peers on the same corpus: { eleventy, pagefind, "eleventy+pagefind", hugo } → { wall, mb }. */
function peers(dir, size) {
  if (!peersWanted(size)) return {};
  const run = spawnSync("bash", [path.join(shared, "peers.sh"), dir, path.join(dir, "peers-out")], { encoding: "utf8", maxBuffer: 1 << 28 });
  if (run.status !== 0) console.log(`  (peers.sh failed: ${run.stderr.trim().split("\n").pop()})`);
  const found = {};
  for (const m of run.stdout.matchAll(/^(\S+)\s+([\d.]+) s(?:\s+(\d+) MB)?$/gm)) found[m[1]] = { wall: Number(m[2]), mb: m[3] ? Number(m[3]) : undefined };
  return found;
}

const row = (label, wall, mb, ratio, target, cores) =>
  `  ${label.padEnd(22)} ${`${wall.toFixed(2)} s`.padStart(9)} ${(mb === undefined ? "" : `${mb} MB`).padStart(9)}   ${ratio === undefined ? "".padEnd(6) : ratio.toFixed(2).padStart(6)}   ${(cores === undefined ? "" : cores.toFixed(2)).padStart(5)}   ${target ?? ""}`;
const stageLine = (stages) =>
  Object.entries(stages)
    .map(([stage, ms]) => `${stage} ${ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms} ms`}`)
    .join(", ");

console.log(
  `Hindsight benchmark, ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "?"}), Node ${process.version}, seed ${seed}, --drafts`,
);
const perPostmortem = {};
for (const size of sizes) {
  const dir = path.join(work, String(size));
  execFileSync(process.execPath, [path.join(shared, "gen-corpus.mjs"), String(size), dir, seed], { stdio: "ignore" });
  const peer = peers(dir, size);
  const cold = hindsight(dir);
  // At once, so that a failure later in the run (at 100,000, an hour in) loses nothing.
  console.log(`  (${size.toLocaleString("en")}: cold build ${cold.wall.toFixed(1)} s, peak ${cold.mb} MB, cores ${cold.cores.toFixed(2)})`);
  const warm = hindsight(dir);
  // One postmortem changed: a sentence added to the first file's body.
  // Listed here, not with find(1): 100,000 paths overflow execFileSync's buffer.
  const first = fs
    .readdirSync(path.join(dir, "content"), { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".md"))
    .map((file) => path.join(dir, "content", file))
    .sort()[0];
  fs.appendFileSync(first, "\nOne more sentence, added for the benchmark.\n");
  const changed = hindsight(dir);
  const base = peer["eleventy+pagefind"]?.wall;
  const ratio = (wall) => (base ? wall / base : undefined);
  const verdict = (wall, target) => (base ? `target ≤ ${target.toFixed(2)} ${wall / base <= target ? "✔" : "✘"}` : "");
  const memory = Math.max(cold.mb, warm.mb, changed.mb);
  const memoryTarget = MEMORY_TARGET_MB[size];
  perPostmortem[size] = (cold.wall * 1000) / size;

  console.log(`\n${size.toLocaleString("en")} postmortems          wall      peak   vs 11ty+PF  cores`);
  if (peer.eleventy) console.log(row("Eleventy 3", peer.eleventy.wall, peer.eleventy.mb));
  if (peer.pagefind) console.log(row("Pagefind", peer.pagefind.wall, peer.pagefind.mb));
  if (base) console.log(row("Eleventy+Pagefind", base, undefined, 1));
  if (peer.hugo) console.log(row("Hugo", peer.hugo.wall, peer.hugo.mb, ratio(peer.hugo.wall)));
  const warmVerdict = size === 100_000 ? `target ≤ ${WARM_100K_SECONDS} s ${warm.wall <= WARM_100K_SECONDS ? "✔" : "✘"}` : verdict(warm.wall, TARGETS.warm);
  console.log(row("Hindsight, cold", cold.wall, cold.mb, ratio(cold.wall), verdict(cold.wall, TARGETS.cold), cold.cores));
  console.log(row("Hindsight, warm", warm.wall, warm.mb, ratio(warm.wall), warmVerdict, warm.cores));
  console.log(row("Hindsight, 1 changed", changed.wall, changed.mb, ratio(changed.wall), verdict(changed.wall, TARGETS.changed), changed.cores));
  console.log(
    `  peak memory ${memory} MB${memoryTarget ? ` (target ≤ ${memoryTarget} MB ${memory <= memoryTarget ? "✔" : "✘"})` : ""}; ${perPostmortem[size].toFixed(1)} ms per postmortem cold; ${cold.summary}`,
  );
  console.log(`  stages, cold:      ${stageLine(cold.stages)}`);
  console.log(`  stages, warm:      ${stageLine(warm.stages)}`);
  console.log(`  stages, 1 changed: ${stageLine(changed.stages)}`);
  const search = (cold.stages.search ?? 0) / 1000;
  const pagefind = (PAGEFIND_10K_SECONDS * size) / 10_000;
  console.log(
    `  search index ${search.toFixed(2)} s; Pagefind's Node API on the same records ≈ ${pagefind.toFixed(1)} s (ratio ${(search / pagefind).toFixed(3)}, target ≤ 0.1)`,
  );
  const query = spawnSync(process.execPath, [path.join(root, "test/bench/search-query.mjs"), path.join(dir, "dist")], { encoding: "utf8" });
  for (const line of (query.stdout || query.stderr).trim().split("\n")) console.log(`  ${line}`);
  if (size === 100_000) {
    const most = Math.max(...[...(query.stdout ?? "").matchAll(/([\d.]+) KB transferred/g)].map((m) => Number(m[1])));
    console.log(`  first query at 100,000: at most ${most} KB (target ≤ ${FIRST_QUERY_100K_KB} KB ${most <= FIRST_QUERY_100K_KB ? "✔" : "✘"})`);
  }
  const dev = spawnSync(process.execPath, [path.join(root, "test/bench/dev-change.mjs"), dir], { encoding: "utf8", timeout: 600_000 });
  for (const line of (dev.stdout || dev.stderr || "dev: no answer").trim().split("\n")) console.log(`  ${line}`);
  fs.rmSync(dir, { recursive: true, force: true });
}
for (const [small, large] of [
  [1000, 10000],
  [10000, 100000],
]) {
  if (!perPostmortem[small] || !perPostmortem[large]) continue;
  const growth = perPostmortem[large] / perPostmortem[small];
  console.log(
    `\nGrowth: ${perPostmortem[large].toFixed(1)} ms per postmortem at ${large.toLocaleString("en")} vs ${perPostmortem[small].toFixed(1)} at ${small.toLocaleString("en")} (×${growth.toFixed(2)}; target ≤ 1 ${growth <= 1 ? "✔" : "✘"})`,
  );
}
fs.rmSync(work, { recursive: true, force: true });
