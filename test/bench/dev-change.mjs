// node test/bench/dev-change.mjs ARCHIVE_DIR: how long `hindsight dev` takes to show an edit
// to one postmortem's body at that size: from the save to the news of the changed page (what
// reloads the browser), and to the end of the whole rebuild that follows (search included).
// Part of `npm run bench`; a benchmark, not a test.
import fs from "node:fs";
import path from "node:path";
import { startDev } from "../../.build/dev/server.js";

const root = path.resolve(process.argv[2] ?? ".");
const file = fs
  .readdirSync(path.join(root, "content"), { recursive: true })
  .map(String)
  .filter((f) => f.endsWith(".md"))
  .sort()
  .at(-1);
const server = await startDev({ root, port: 0, offline: true, log: () => {} });
const response = await fetch(`${server.url}__hindsight/events`);
const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
const states = [];
let wake = () => {};
void (async () => {
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read().catch(() => ({ done: true }));
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) !== -1) {
      const data = /^data: (.*)$/m.exec(buffer.slice(0, end))?.[1];
      if (data) states.push({ at: performance.now(), ...JSON.parse(data) });
      buffer = buffer.slice(end + 2);
      wake();
    }
  }
})();
const until = async (test, ms = 120_000) => {
  const deadline = performance.now() + ms;
  while (!states.some(test)) {
    if (performance.now() > deadline) throw new Error("dev: no such state in time");
    await new Promise((resolve) => ((wake = resolve), setTimeout(resolve, 50)));
  }
  return states.find(test);
};
await until(() => true);
const results = [];
for (let round = 0; round < 3; round++) {
  const before = states.at(-1).build;
  const saved = performance.now();
  fs.appendFileSync(path.join(root, "content", file), `\nAnother sentence for the benchmark, round ${round}.\n`);
  const page = await until((s) => s.build > before);
  await server.idle();
  // The page alone first, then the whole rebuild; or the whole rebuild only.
  const quick = page.changed.length === 1 && page.changed[0].startsWith("postmortems/");
  const done = quick ? await until((s) => s.build > page.build) : page;
  results.push({ page: page.at - saved, rebuilt: done.at - saved, quick });
}
if (process.env.DEBUG_DEV) console.log(states.map((s) => `${s.build}@${s.at.toFixed(0)}:${s.changed.length}:${s.changed.slice(0, 2)}`).join("\n"));
await server.close();
const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
console.log(
  `dev, one postmortem's body edited (median of ${results.length}): page updated in ${median(results.map((r) => r.page)).toFixed(0)} ms` +
    ` (target ≤ 300 ms ${median(results.map((r) => r.page)) <= 300 ? "✔" : "✘"}), whole rebuild done in ${median(results.map((r) => r.rebuilt)).toFixed(0)} ms` +
    (results.every((r) => r.quick) ? "" : " (the page came with the whole rebuild)"),
);
process.exit(0);
