// Measures a first search on a built archive in headless Chromium: bytes transferred from the
// moment the search page opens (meta, chunks, fragments) and the time until results show, as
// the client times it (from the search's start, after the typing debounce) and as seen from
// here (from the keystroke's event to the first result in the page, debounce included).
// Usage: node test/bench/search-query.mjs DIST_DIR [--runs=N] [QUERY…]
// With --runs, each query runs N times on a fresh page and the medians are printed too.
// The archive is served from a worker thread, as from a host of its own: in this thread,
// Playwright's handling of the browser's events would hold up the responses.
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { chromium } from "playwright-core";

if (!isMainThread) serve(workerData.dist, new Int32Array(workerData.sent));
else await main();

/** Serves `dist` on 127.0.0.1, adding to `sent[0]` the bytes of every index file (not pages, CSS or scripts). */
function serve(dist, sent) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    let file = path.join(dist, decodeURIComponent(url.pathname));
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
    if (!file.startsWith(dist) || !fs.existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": file.endsWith(".html") ? "text/html" : file.endsWith(".js") ? "text/javascript" : "application/octet-stream" });
    const body = fs.readFileSync(file);
    if (!req.url.endsWith(".html") && !req.url.endsWith(".js") && !req.url.endsWith(".css")) Atomics.add(sent, 0, body.length);
    res.end(body);
  });
  server.listen(0, "127.0.0.1", () => parentPort.postMessage(server.address().port));
}

async function main() {
  const dist = path.resolve(process.argv[2] ?? "dist");
  const args = process.argv.slice(3);
  const runs = Number(args.find((a) => a.startsWith("--runs="))?.slice(7) ?? 1);
  const words = args.filter((a) => !a.startsWith("--"));
  const queries = words.length ? words : ["timeout", "replication lag", "certificate expiry"];

  const sent = new Int32Array(new SharedArrayBuffer(4));
  const server = new Worker(new URL(import.meta.url), { workerData: { dist, sent: sent.buffer } });
  const port = await new Promise((resolve) => server.once("message", resolve));
  const base = `http://127.0.0.1:${port}`;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  const results = [];
  for (let run = 0; run < runs; run++)
    for (const query of queries) {
      const page = await browser.newPage();
      // The index files a first query needs: meta.json (fetched as the page opens), term chunks,
      // filters and fragments. The page itself, its CSS and scripts are not counted.
      Atomics.store(sent, 0, 0);
      await page.goto(`${base}/search/index.html`);
      await page.waitForFunction(() => document.documentElement.classList.contains("search-ready"));
      await page.evaluate(() => {
        delete document.body.dataset.searchMs;
        // The keystroke's own time, and the moment the first complete result enters the list.
        const probe = (window.__probe = {});
        document.querySelector("#SearchQuery").addEventListener("input", (event) => void (probe.typed ??= event.timeStamp));
        new MutationObserver(() => {
          if (probe.typed !== undefined && probe.shown === undefined && document.querySelector("#SearchResults > li:not(.loading)"))
            probe.shown = performance.now();
        }).observe(document.querySelector("#SearchResults"), { childList: true });
      });
      const started = Date.now();
      await page.locator("#SearchQuery").fill(query);
      await page.waitForFunction(() => document.body.dataset.searchMs !== undefined, null, { timeout: 30_000 });
      const wall = Date.now() - started;
      const ms = Number(await page.evaluate(() => document.body.dataset.searchMs));
      const count = await page.locator("#SearchResults > li").count();
      const timing = await page.evaluate(() => document.body.dataset.searchTiming);
      const keyMs = Math.round(await page.evaluate(() => window.__probe.shown - window.__probe.typed));
      results.push({ query, kb: Math.round(Atomics.load(sent, 0) / 1024), searchMs: ms, keyMs, wallMs: wall, shown: count, timing });
      await page.close();
    }
  await browser.close();
  await server.terminate();
  for (const r of results) {
    console.log(
      `first query "${r.query}": ${r.kb} KB transferred, results in ${r.searchMs} ms (keystroke to first result ${r.keyMs} ms, debounce included; ${r.wallMs} ms as driven from Node), ${r.shown} shown [${r.timing}]`,
    );
  }
  if (runs > 1) {
    const median = (values) => values.sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];
    const summary = (list) =>
      `results in ${median(list.map((r) => r.searchMs))} ms, keystroke to first result ${median(list.map((r) => r.keyMs))} ms, at most ${Math.max(...list.map((r) => r.kb))} KB`;
    for (const query of queries) console.log(`median of ${runs} "${query}": ${summary(results.filter((r) => r.query === query))}`);
    console.log(`median of all ${results.length}: ${summary(results)}`);
  }
}
