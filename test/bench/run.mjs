// npm run bench: for archives of 1,000 and 10,000 postmortems (../shared/bench/gen-corpus.mjs),
// builds each with the peers (../shared/bench/peers.sh: Eleventy, Pagefind, Hugo) and with
// Hindsight — cold, warm, and with one postmortem changed — in the same run, and prints wall
// time, peak memory, the ratios to Eleventy+Pagefind against the targets, the slow stages, and
// a first search query in headless Chromium, and how soon `hindsight dev` shows an edit. A
// benchmark, not a test: the machine is shared and noisy, so compare the ratios of one run, not
// absolute times.
//   BENCH_SIZES=1000 npm run bench     only some sizes
//   BENCH_PEERS=0 npm run bench        without the peers (no ratios)
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..", "..");
const shared = path.resolve(root, "..", "shared", "bench");
const sizes = (process.env.BENCH_SIZES ?? "1000,10000").split(",").map(Number);
const withPeers = process.env.BENCH_PEERS !== "0";
const PAGEFIND_10K_SECONDS = 37; // ../shared/bench/README.txt: Pagefind's Node API, 10,000 postmortems
const TARGETS = { cold: 0.5, warm: 0.1, changed: 0.1 };
const MEMORY_TARGET_MB = 600;
const work = fs.mkdtempSync(path.join(os.tmpdir(), "hindsight-bench-"));
const cli = path.join(root, ".build", "cli.js");

/** Runs Hindsight's build in a folder: wall seconds, peak RSS in MB, stage timings, summary. */
function hindsight(dir) {
  const run = spawnSync("/usr/bin/time", ["-f", "%e %M", process.execPath, cli, "build", "--offline", "--verbose"], {
    cwd: dir,
    encoding: "utf8",
    maxBuffer: 1 << 30,
  });
  if (run.status !== 0) throw new Error(`hindsight build failed in ${dir}:\n${run.stderr.slice(-2000)}`);
  const [wall, rssKb] = run.stderr.trim().split("\n").pop().split(" ").map(Number);
  const stages = Object.fromEntries([...run.stdout.matchAll(/^\s+(\w+)\s+(\d+) ms$/gm)].map((m) => [m[1], Number(m[2])]));
  return { wall, mb: Math.round(rssKb / 1024), stages, summary: /^Built .*$/m.exec(run.stdout)?.[0] ?? "" };
}

/** The peers on the same corpus: { eleventy, pagefind, "eleventy+pagefind", hugo } → { wall, mb }. */
function peers(dir) {
  if (!withPeers) return {};
  const run = spawnSync("bash", [path.join(shared, "peers.sh"), dir, path.join(dir, "peers-out")], { encoding: "utf8", maxBuffer: 1 << 28 });
  if (run.status !== 0) console.log(`  (peers.sh failed: ${run.stderr.trim().split("\n").pop()})`);
  const found = {};
  for (const m of run.stdout.matchAll(/^(\S+)\s+([\d.]+) s(?:\s+(\d+) MB)?$/gm)) found[m[1]] = { wall: Number(m[2]), mb: m[3] ? Number(m[3]) : undefined };
  return found;
}

const row = (label, wall, mb, ratio, target) =>
  `  ${label.padEnd(22)} ${`${wall.toFixed(2)} s`.padStart(9)} ${(mb === undefined ? "" : `${mb} MB`).padStart(9)}   ${ratio === undefined ? "".padEnd(6) : ratio.toFixed(2).padStart(6)}   ${target ?? ""}`;
const stageLine = (stages) =>
  Object.entries(stages)
    .map(([stage, ms]) => `${stage} ${ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms} ms`}`)
    .join(", ");

console.log(
  `Hindsight benchmark, ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "?"}), Node ${process.version}`,
);
const perPostmortem = {};
for (const size of sizes) {
  const dir = path.join(work, String(size));
  execFileSync(process.execPath, [path.join(shared, "gen-corpus.mjs"), String(size), dir], { stdio: "ignore" });
  const peer = peers(dir);
  const cold = hindsight(dir);
  const warm = hindsight(dir);
  // One postmortem changed: a sentence added to the first file's body.
  const first = execFileSync("find", [path.join(dir, "content"), "-name", "*.md"], { encoding: "utf8" })
    .split("\n")
    .filter(Boolean)
    .sort()[0];
  fs.appendFileSync(first, "\nOne more sentence, added for the benchmark.\n");
  const changed = hindsight(dir);
  const base = peer["eleventy+pagefind"]?.wall;
  const ratio = (wall) => (base ? wall / base : undefined);
  const verdict = (wall, target) => (base ? `target ≤ ${target.toFixed(2)} ${wall / base <= target ? "✔" : "✘"}` : "");
  const memory = Math.max(cold.mb, warm.mb, changed.mb);
  perPostmortem[size] = (cold.wall * 1000) / size;

  console.log(`\n${size.toLocaleString("en")} postmortems          wall      peak   vs 11ty+PF`);
  if (peer.eleventy) console.log(row("Eleventy 3", peer.eleventy.wall, peer.eleventy.mb));
  if (peer.pagefind) console.log(row("Pagefind", peer.pagefind.wall, peer.pagefind.mb));
  if (base) console.log(row("Eleventy+Pagefind", base, undefined, 1));
  if (peer.hugo) console.log(row("Hugo", peer.hugo.wall, peer.hugo.mb, ratio(peer.hugo.wall)));
  console.log(row("Hindsight, cold", cold.wall, cold.mb, ratio(cold.wall), verdict(cold.wall, TARGETS.cold)));
  console.log(row("Hindsight, warm", warm.wall, warm.mb, ratio(warm.wall), verdict(warm.wall, TARGETS.warm)));
  console.log(row("Hindsight, 1 changed", changed.wall, changed.mb, ratio(changed.wall), verdict(changed.wall, TARGETS.changed)));
  console.log(
    `  peak memory ${memory} MB (target ≤ ${MEMORY_TARGET_MB} MB ${memory <= MEMORY_TARGET_MB ? "✔" : "✘"}); ${perPostmortem[size].toFixed(1)} ms per postmortem cold`,
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
  const dev = spawnSync(process.execPath, [path.join(root, "test/bench/dev-change.mjs"), dir], { encoding: "utf8", timeout: 600_000 });
  for (const line of (dev.stdout || dev.stderr || "dev: no answer").trim().split("\n")) console.log(`  ${line}`);
  fs.rmSync(dir, { recursive: true, force: true });
}
if (perPostmortem[1000] && perPostmortem[10000]) {
  const growth = perPostmortem[10000] / perPostmortem[1000];
  console.log(
    `\nGrowth: ${perPostmortem[10000].toFixed(1)} ms per postmortem at 10,000 vs ${perPostmortem[1000].toFixed(1)} at 1,000 (×${growth.toFixed(2)}; target ≤ 1 ${growth <= 1 ? "✔" : "✘"})`,
  );
}
fs.rmSync(work, { recursive: true, force: true });
