// search-compare's two engines in the browser: the static host (a worker thread), Hindsight's
// search page driven by typing, and Pagefind's JS API on a blank page; each gives its results,
// time, bytes and excerpts.
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import zlib from "node:zlib";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";

const BLANK = "/__blank.html";

if (!isMainThread) serve(workerData);
/** Serves `dist` on 127.0.0.1 as a static host would, adding to `sent` the raw and gzipped bytes of every file under `counted` but HTML. */
function serve({ dist, counted, sent }) {
  const bytes = new Int32Array(sent);
  const gzipped = new Map();
  const types = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".json": "application/json", ".svg": "image/svg+xml" };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    if (url.pathname === BLANK)
      return void res.writeHead(200, { "content-type": "text/html" }).end('<!doctype html><title>bench</title><link rel="icon" href="data:,">');
    let file = path.join(dist, decodeURIComponent(url.pathname));
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
    if (!file.startsWith(dist) || !fs.existsSync(file)) return void res.writeHead(404).end();
    const body = fs.readFileSync(file);
    if (url.pathname.startsWith(counted) && !file.endsWith(".html")) {
      if (!gzipped.has(file)) gzipped.set(file, Math.min(body.length, zlib.gzipSync(body).length));
      Atomics.add(bytes, 0, body.length);
      Atomics.add(bytes, 1, gzipped.get(file));
    }
    // Nothing cached: each query's page starts as cold as a reader's first visit.
    res.writeHead(200, { "content-type": types[path.extname(file)] ?? "application/octet-stream", "cache-control": "no-store" }).end(body);
  });
  server.listen(0, "127.0.0.1", () => parentPort.postMessage(server.address().port));
}

/** Serves a folder from a worker thread: in this thread, Playwright's handling of the browser's events would hold up the responses. */
export async function host(dist, counted) {
  const sent = new SharedArrayBuffer(8);
  const worker = new Worker(new URL(import.meta.url), { workerData: { dist, counted, sent } });
  const port = await new Promise((resolve) => worker.once("message", resolve));
  return { worker, base: `http://127.0.0.1:${port}`, bytes: new Int32Array(sent) };
}

/** A page kept from query to query (a new one costs about a second); the server forbids caching, so each query still starts cold. */
export async function openTab(browser) {
  const context = await browser.newContext();
  await context.addInitScript(markedText);
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  return { context, page, errors };
}

/** One known-item query on a just-opened search page: its first results, time, bytes and console errors. */
export async function measured(tab, server, engine, query) {
  const before = tab.errors.length;
  Atomics.store(server.bytes, 0, 0);
  Atomics.store(server.bytes, 1, 0);
  await settled(tab.page, () => engine.open(tab.page));
  const result = await engine.first(tab.page, query);
  return { ...result, kb: Atomics.load(server.bytes, 0) / 1024, gzKb: Atomics.load(server.bytes, 1) / 1024, errors: tab.errors.slice(before) };
}

/** Runs the taxonomy queries one after another on one page: for each, how many of the postmortems its term page lists were found. */
export async function termSearches(tab, engine, queries) {
  if (queries.length) await engine.open(tab.page);
  const found = [];
  for (const q of queries) {
    const keys = new Set((await engine.all(tab.page, q.text)).keys);
    found.push(q.expected.filter((k) => keys.has(k)).length);
  }
  return found;
}

/** In the page: an element's text and the [start, end) offsets of its <mark> elements in that text. */
export function markedText() {
  window.__marked = (root) => {
    let text = "";
    const marks = [];
    const walk = (node) => {
      for (const child of node.childNodes) {
        if (child.nodeType === Node.TEXT_NODE) text += child.data;
        else if (child.nodeName === "MARK") {
          const start = text.length;
          walk(child);
          marks.push([start, text.length]);
        } else walk(child);
      }
    };
    walk(root);
    return { text, marks };
  };
}

/** Runs `load`, then waits until the page has had no request in flight for 100 ms: what it loads as it opens is done. */
export async function settled(page, load) {
  let inFlight = 0;
  let last = Date.now();
  const listeners = { request: 1, requestfinished: -1, requestfailed: -1 };
  const handlers = Object.entries(listeners).map(([event, d]) => [event, () => ((inFlight += d), (last = Date.now()))]);
  for (const [event, handler] of handlers) page.on(event, handler);
  try {
    await load();
    while (inFlight > 0 || Date.now() - last < 100) await new Promise((resolve) => setTimeout(resolve, 10));
  } finally {
    for (const [event, handler] of handlers) page.off(event, handler);
  }
}

export async function hindsightOpen(page, base) {
  await page.goto(`${base}/search/index.html`);
  await page.waitForFunction(() => document.documentElement.classList.contains("search-ready"));
}

/** Types `query` into Hindsight's search page; false when no search ran (a query of stop words only, say). */
export async function hindsightType(page, query, timeout) {
  const box = page.locator("#SearchQuery");
  if ((await box.inputValue()) === query) await box.fill(""); // the same label in two taxonomies
  await page.evaluate(() => delete document.body.dataset.searchMs);
  await box.fill(query);
  try {
    await page.waitForFunction(() => document.body.dataset.searchMs !== undefined, null, { timeout });
    return true;
  } catch {
    return false;
  }
}

/**
 * The first page of results of `query` in order, the first three's excerpts, the client's own
 * time to the first, and the time from the keystroke's event to the first result in the list.
 */
export async function hindsightFirstPage(page, query) {
  await page.evaluate(() => {
    const probe = (window.__probe = {});
    document.querySelector("#SearchQuery").addEventListener("input", (event) => void (probe.typed ??= event.timeStamp));
    new MutationObserver(() => {
      if (probe.typed !== undefined && probe.shown === undefined && document.querySelector("#SearchResults > li a")) probe.shown = performance.now();
    }).observe(document.querySelector("#SearchResults"), { childList: true, subtree: true });
  });
  if (!(await hindsightType(page, query, 30_000))) return { ms: NaN, keyMs: NaN, keys: [], excerpts: [] };
  const [ms, keyMs] = await page.evaluate(() => [Number(document.body.dataset.searchMs), window.__probe.shown - window.__probe.typed]);
  return { ms, keyMs: Math.round(keyMs), ...(await hindsightResults(page)) };
}

/** Every result of `query`, "Show more" clicked until it goes. */
export async function hindsightAll(page, query) {
  if (!(await hindsightType(page, query, 10_000))) return { keys: [], excerpts: [] };
  for (let more = 0; more < 100 && (await page.locator("#SearchMore").isVisible()); more++) {
    const shown = await page.locator("#SearchResults > li").count();
    await page.locator("#SearchMore").click();
    await page.waitForFunction((n) => {
      const items = document.querySelectorAll("#SearchResults > li");
      return items.length > n && [...items].every((li) => li.querySelector("a"));
    }, shown);
  }
  return hindsightResults(page);
}

export async function hindsightResults(page) {
  return page.evaluate(() => {
    const found = { keys: [], excerpts: [] };
    for (const li of document.querySelectorAll("#SearchResults > li")) {
      const link = li.querySelector("a");
      if (!link) continue;
      found.keys.push(decodeURIComponent(new URL(link.href).pathname.slice(1)).replace(/index\.html$/, ""));
      const excerpt = li.querySelector(".excerpt");
      if (found.excerpts.length < 3) found.excerpts.push(excerpt ? window.__marked(excerpt) : { text: "", marks: [] });
    }
    return found;
  });
}

/** Pagefind's JS API, loaded and initialised on a blank page of its site. */
export async function pagefindOpen(page, base) {
  await page.goto(`${base}${BLANK}`);
  await page.evaluate(async () => {
    const { createInstance } = await import("/pagefind/pagefind.js");
    window.__pagefind = createInstance({});
    await window.__pagefind.init();
    // An empty search starts its WebAssembly in its worker (tens of ms), which init() leaves to
    // the first search: a page would do it as it opens, not as the reader's first query.
    await window.__pagefind.search("");
  });
}

/** The first `limit` results of `query` with the first three's excerpts, and the time from search() to the first one's data. */
export async function pagefindQuery(page, query, limit) {
  return page.evaluate(
    async ({ query, limit }) => {
      const started = performance.now();
      const search = await window.__pagefind.search(query);
      const shown = search.results.slice(0, limit);
      const first = shown[0] ? await shown[0].data() : undefined;
      const ms = Math.round(performance.now() - started);
      // Pagefind has no typing pause of its own here (its UI's is 300 ms): from the keystroke is from search().
      const data = first ? [first, ...(await Promise.all(shown.slice(1).map((r) => r.data())))] : [];
      const excerpt = (html) => {
        const holder = document.createElement("p");
        holder.innerHTML = html;
        return window.__marked(holder);
      };
      const keys = data.map((d) => decodeURIComponent(new URL(d.url, location.href).pathname.slice(1)).replace(/index\.html$/, ""));
      return { ms, keyMs: ms, keys, excerpts: data.slice(0, 3).map((d) => excerpt(d.excerpt)) };
    },
    { query, limit },
  );
}
