// Measures a first search on a built archive in headless Chromium: bytes transferred from the
// moment the query is typed (meta, chunks, fragments) and the time until results show.
// Usage: node test/bench/search-query.mjs DIST_DIR [QUERY…]
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { chromium } from "playwright-core";

const dist = path.resolve(process.argv[2] ?? "dist");
const queries = process.argv.slice(3).length ? process.argv.slice(3) : ["timeout", "replication lag", "certificate expiry"];

let sent = 0;
const server = http.createServer((req, res) => {
  const url = new URL(req.url, "http://x");
  let file = path.join(dist, decodeURIComponent(url.pathname));
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
  if (!file.startsWith(dist) || !fs.existsSync(file)) return void res.writeHead(404).end();
  res.writeHead(200, { "content-type": file.endsWith(".html") ? "text/html" : file.endsWith(".js") ? "text/javascript" : "application/octet-stream" });
  const body = fs.readFileSync(file);
  if (!req.url.endsWith(".html") && !req.url.endsWith(".js") && !req.url.endsWith(".css")) sent += body.length;
  res.end(body);
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const base = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
const results = [];
for (const query of queries) {
  const page = await browser.newPage();
  // The index files a first query needs: meta.json (fetched as the page opens), term chunks,
  // filters and fragments. The page itself, its CSS and scripts are not counted.
  sent = 0;
  await page.goto(`${base}/search/index.html`);
  await page.waitForFunction(() => document.documentElement.classList.contains("search-ready"));
  await page.evaluate(() => delete document.body.dataset.searchMs);
  const started = Date.now();
  await page.locator("#SearchQuery").fill(query);
  await page.waitForFunction(() => document.body.dataset.searchMs !== undefined, null, { timeout: 30_000 });
  const wall = Date.now() - started;
  const ms = Number(await page.evaluate(() => document.body.dataset.searchMs));
  const count = await page.locator("#SearchResults > li").count();
  const timing = await page.evaluate(() => document.body.dataset.searchTiming);
  results.push({ query, kb: Math.round(sent / 1024), searchMs: ms, wallMs: wall, shown: count, timing });
  await page.close();
}
await browser.close();
server.close();
for (const r of results) {
  console.log(`first query "${r.query}": ${r.kb} KB transferred, results in ${r.searchMs} ms (typing to results ${r.wallMs} ms, debounce included), ${r.shown} shown [${r.timing}]`);
}
