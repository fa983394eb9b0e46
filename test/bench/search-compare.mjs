// Hindsight's search against Pagefind 1.6 on the same pages of a real archive, in one run, in
// headless Chromium (issue 16). A benchmark, not a test: it measures and prints, and exits 1 when
// Hindsight's MRR or hit@3 is below Pagefind's on any archive, so `npm run bench` can call it.
//   npm run compile && node test/bench/search-compare.mjs [ARCHIVE_DIR…] [--queries=N] [--terms=N|all] [--seed=N] [--keep] [--verbose]
// ARCHIVE_DIR defaults to ../shared/corpus/real/icco-postmortems beside the repository. Each is
// copied to a temporary folder (without any config), fitted with `hindsight init` and built with
// `build --offline`, both from .build/: compile first. Pagefind 1.6.0, installed on first use into
// $PEERS (default /tmp/hindsight-peers) as ../shared/bench/peers.sh does, indexes a copy of that
// dist/ restricted to the postmortem pages (the URLs of postmortems.json; their <main> without its
// <nav>s and related list), so both engines search the same pages. Nothing of the archives goes
// into the repository: the queries are made from them at run time, the same on every run (--seed).
// --verbose lists every known-item query with both ranks; --keep keeps the temporary folder.
//
// Known-item queries (--queries, default 120), from a seeded sample of postmortems, of words of
// the postmortem's text that are not in its title, those it repeats first. The answer is that
// postmortem. Kinds: "word", one word in at most 1.25 % of the postmortems; "two" / "three" words
// in at most 5 % / 10 %; "inflected", another form (-ed → -ing, plural → singular) of a word no
// other postmortem has in any form, that it does not contain itself: only stemming finds it.
// Each query runs on a search page just opened, nothing cached (the server says no-store):
// Hindsight's page, the query typed into #SearchQuery; Pagefind's JS API on a blank page.
//   MRR@10          mean of 1/rank of the answer in the first 10 results (0 when not there)
//   hit@1, hit@3    share of queries with the answer first, in the top 3
//   first result    median ms to the first result: Hindsight's own body[data-search-ms], from its
//                   search's start (after its 60 ms typing pause, while its chunks already load);
//                   Pagefind's, from search() to its first result's data(), its WebAssembly started
//   from keystroke  Hindsight: from the input event to the first result in the list, pause
//                   included; Pagefind: the same as above (with no typing pause)
//   first query KB  median bytes served under search/ (not its HTML page) or pagefind/ from the
//                   page opening to the first 10 results' excerpts; gzipped in brackets (what a
//                   host that compresses would send; Pagefind's files are gzipped already)
//   excerpts        of the top 3 results: those without a <mark>; marks that start or end inside
//                   a word (a letter or digit just before or after); query words present in an
//                   excerpt (by Porter stem, the `stemmer` package) that no mark covers whole
// Taxonomy queries (--terms per taxonomy, default 150, a seeded sample when there are more): each
// term of each taxonomy the config adds to services, severity and tags (company, product…), by
// its label. "found" counts the postmortems its term page lists that are anywhere in the results
// (every "Show more" page for Hindsight, every result for Pagefind).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import matter from "gray-matter";
import { chromium } from "playwright-core";
import remarkGfm from "remark-gfm";
import remarkParse from "remark-parse";
import { stemmer } from "stemmer";
import { unified } from "unified";

const PAGEFIND_VERSION = "1.6.0";
const DEFAULT_TAXONOMIES = ["services", "severity", "tags"];
const KINDS = ["word", "two", "inflected", "word", "three", "inflected", "two", "word", "inflected", "two"];
/** The most postmortems, as a share of the archive, a query's words may be in (at least one): an inflected word is in its postmortem only. */
const MAX_DF = { word: 0.0125, two: 0.05, three: 0.1, inflected: 0 };
/** Words too common to be a known item's, whatever their count in a small archive. */
const COMMON = new Set(
  ("about above after again against also because before being below between both could does doing down during each " +
    "always even every first from further have here however into just last later made many more most much must never next " +
    "only onto other over same several should since some still such than that their them then there these they this " +
    "those through under until upon very were what when where which while will with within without would your").split(" "),
);
const WORD = /[\p{L}\p{N}]+/gu;
const BLANK = "/__blank.html";

if (!isMainThread) serve(workerData);
else await main();

/** Serves `dist` on 127.0.0.1 as a static host would, adding to `sent` the raw and gzipped bytes of every file under `counted` but HTML. */
function serve({ dist, counted, sent }) {
  const bytes = new Int32Array(sent);
  const gzipped = new Map();
  const types = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".json": "application/json", ".svg": "image/svg+xml" };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    if (url.pathname === BLANK) return void res.writeHead(200, { "content-type": "text/html" }).end('<!doctype html><title>bench</title><link rel="icon" href="data:,">');
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

async function main() {
  const root = path.resolve(import.meta.dirname, "..", "..");
  const args = process.argv.slice(2);
  const option = (name, fallback) => {
    const value = args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
    return value === undefined ? fallback : value === "all" ? Infinity : Number(value);
  };
  const settings = { queries: option("queries", 120), terms: option("terms", 150), seed: option("seed", 16), keep: args.includes("--keep"), verbose: args.includes("--verbose") };
  const named = args.filter((a) => !a.startsWith("--")).map((a) => path.resolve(a));
  const archives = named.length ? named : [path.join(root, "..", "shared", "corpus", "real", "icco-postmortems")];
  const pagefind = installPagefind();
  console.log(`Hindsight search vs Pagefind ${PAGEFIND_VERSION}, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${os.cpus().length} cores`);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
  });
  let behind = false;
  try {
    for (const archive of archives) behind = (await compare(archive, { root, pagefind, browser, ...settings })) || behind;
  } finally {
    await browser.close();
  }
  process.exitCode = behind ? 1 : 0;
}

/** Builds one archive with both engines, runs every query on both, prints the table; true when Hindsight ranks below Pagefind. */
async function compare(archive, { root, pagefind, browser, queries: wanted, terms, seed, keep, verbose }) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "hindsight-search-compare-"));
  const site = path.join(work, "site");
  fs.cpSync(archive, site, { recursive: true, filter: (from) => !/^(hindsight\.config\.\w+|dist|\.cache|\.git)$/.test(path.relative(archive, from)) });
  const cli = path.join(root, ".build", "cli.js");
  run(process.execPath, [cli, "init"], site);
  run(process.execPath, [cli, "build", "--offline"], site);
  const config = JSON.parse(fs.readFileSync(path.join(site, "hindsight.config.json"), "utf8"));
  const dist = path.join(site, config.out ?? "dist");
  const docs = readPostmortems(dist, path.join(site, config.content ?? "content"));

  const peer = path.join(work, "pagefind-site");
  fs.cpSync(dist, peer, { recursive: true });
  const glob = `{${docs.map((d) => d.url).join(",")}}`;
  const log = run(pagefind, ["--site", peer, "--glob", glob, "--root-selector", "main", "--exclude-selectors", "nav, .related"], work);
  const indexed = Number(/Indexed (\d+) pages?/.exec(log)?.[1] ?? NaN);

  const known = knownItemQueries(docs, wanted, seed);
  const taxonomies = (config.taxonomies ?? []).filter((t) => !DEFAULT_TAXONOMIES.includes(t));
  const termQueries = taxonomies.flatMap((t) => sample(termsOf(dist, t, docs), terms, seed).map((term) => ({ taxonomy: t, ...term })));

  const hosts = { hindsight: await host(dist, "/search/"), pagefind: await host(peer, "/pagefind/") };
  const engines = {
    hindsight: { open: (page) => hindsightOpen(page, hosts.hindsight.base), first: hindsightFirstPage, all: hindsightAll },
    pagefind: { open: (page) => pagefindOpen(page, hosts.pagefind.base), first: (page, q) => pagefindQuery(page, q, 10), all: (page, q) => pagefindQuery(page, q, Infinity) },
  };
  const tabs = { hindsight: await openTab(browser), pagefind: await openTab(browser) };
  try {
    const results = { hindsight: [], pagefind: [] };
    // One query on each engine in turn, so that both see the machine in the same state.
    for (const q of known) for (const name of ["hindsight", "pagefind"]) results[name].push(await measured(tabs[name], hosts[name], engines[name], q.text));
    const found = { hindsight: await termSearches(tabs.hindsight, engines.hindsight, termQueries), pagefind: await termSearches(tabs.pagefind, engines.pagefind, termQueries) };
    return report({ archive: path.basename(archive), docs: docs.length, indexed, known, results, termQueries, found, verbose });
  } finally {
    await Promise.all([tabs.hindsight.context.close(), tabs.pagefind.context.close()]);
    await Promise.all([hosts.hindsight.worker.terminate(), hosts.pagefind.worker.terminate()]);
    if (keep) console.log(`  (kept ${work})`);
    else fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Runs a command, returning its output; a failure shows the end of what it printed. */
function run(command, args, cwd) {
  try {
    return execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 1 << 28 });
  } catch (error) {
    throw new Error(`${path.basename(command)} ${args[0] ?? ""} failed in ${cwd}:\n${`${error.stdout ?? ""}${error.stderr ?? ""}`.slice(-3000)}`, { cause: error });
  }
}

/** The Pagefind binary, installed into $PEERS on first use as peers.sh installs it. */
function installPagefind() {
  const peers = process.env.PEERS ?? "/tmp/hindsight-peers";
  const version = () => JSON.parse(fs.readFileSync(path.join(peers, "node_modules", "pagefind", "package.json"), "utf8")).version;
  let installed;
  try {
    installed = version();
  } catch {}
  if (installed !== PAGEFIND_VERSION) {
    fs.mkdirSync(peers, { recursive: true });
    if (!fs.existsSync(path.join(peers, "package.json"))) run("npm", ["init", "-y"], peers);
    run("npm", ["install", "--no-audit", "--no-fund", `pagefind@${PAGEFIND_VERSION}`], peers);
  }
  const scope = path.join(peers, "node_modules", "@pagefind");
  const binaries = fs.readdirSync(scope).flatMap((p) => ["pagefind_extended", "pagefind"].map((b) => path.join(scope, p, "bin", b)));
  return binaries.find((b) => fs.existsSync(b)) ?? fail(`no Pagefind binary under ${scope}`);
}

function fail(message) {
  throw new Error(message);
}

/** Every postmortem of the build: its page's key (path without index.html), title and the words of its text. */
function readPostmortems(dist, content) {
  const exported = JSON.parse(fs.readFileSync(path.join(dist, "postmortems.json"), "utf8")).postmortems;
  const markdown = unified().use(remarkParse).use(remarkGfm);
  return exported
    .map((p) => {
      const source = fs.readFileSync(path.join(content, p.source), "utf8");
      let body = source;
      try {
        body = matter(source).content;
      } catch {}
      const text = `${p.summary ?? ""}\n${visibleText(markdown.parse(body))}`;
      const words = new Set(text.toLowerCase().match(WORD) ?? []);
      // Candidate query words: plain lower-case or capitalised words, not parts of a hyphenated,
      // dotted or camel-cased token, which the two engines split differently.
      const plain = new Map();
      const named = new Set();
      for (const [token] of text.matchAll(/[\p{L}\p{N}]+(?:['’._\-/@][\p{L}\p{N}]+)*/gu)) {
        if (!/^[A-Z]?[a-z]{4,}$/.test(token)) continue;
        plain.set(token.toLowerCase(), (plain.get(token.toLowerCase()) ?? 0) + 1);
        if (token[0] !== token[0].toLowerCase()) named.add(token.toLowerCase());
      }
      const titleStems = new Set((p.title.toLowerCase().match(WORD) ?? []).map(stemmer));
      return { key: keyOf(p.url), url: p.url, title: p.title, words, stems: new Set([...words].map(stemmer)), plain: [...plain.keys()].sort(), counts: plain, named, titleStems };
    })
    .sort((a, b) => (a.key < b.key ? -1 : 1));
}

/**
 * The text a reader sees of a Markdown tree, blocks and table cells apart (mdast-util-to-string
 * glues them: "failed" + "Context" → "failedContext"); not raw HTML's tags, nor images' alt text.
 */
function visibleText(node) {
  if (node.type === "text" || node.type === "inlineCode" || node.type === "code") return node.value;
  if (node.type === "break") return "\n";
  const parts = (node.children ?? []).map(visibleText);
  return ["paragraph", "heading", "emphasis", "strong", "delete", "link", "linkReference"].includes(node.type) ? parts.join("") : parts.join("\n");
}

/** A page's path from the site's root without a final index.html: how results are compared. */
function keyOf(url) {
  return decodeURIComponent(new URL(url, "http://x/").pathname.slice(1)).replace(/index\.html$/, "");
}

/** About `wanted` known-item queries, made from the postmortems in a seeded order, cycling through KINDS. */
function knownItemQueries(docs, wanted, seed) {
  const df = new Map();
  for (const doc of docs) {
    for (const stem of doc.stems) df.set(stem, (df.get(stem) ?? 0) + 1);
  }
  const rand = random(seed);
  const order = shuffle(rand, docs);
  const queries = [];
  const used = new Set();
  for (let pass = 0, added = true; added && queries.length < wanted; pass++) {
    added = false;
    for (const doc of order) {
      if (queries.length >= wanted) break;
      const first = KINDS[(queries.length + pass) % KINDS.length];
      for (const kind of [first, ...new Set(KINDS)].filter((k, i, all) => all.indexOf(k) === i)) {
        const most = Math.max(1, Math.floor(MAX_DF[kind] * docs.length));
        const usable = doc.plain.filter((w) => !COMMON.has(w) && !doc.titleStems.has(stemmer(w)) && df.get(stemmer(w)) <= most);
        // Words it repeats first: what a reader remembers of a postmortem is what it is about.
        const repeated = usable.filter((w) => doc.counts.get(w) > 1);
        const text = makeQuery(kind, repeated.length >= 3 ? repeated : usable, doc, rand, used);
        if (!text) continue;
        queries.push({ kind, text, answer: doc.key });
        used.add(text);
        added = true;
        break;
      }
    }
  }
  return queries;
}

/** One query of `kind` from the postmortem's usable words, not one already `used`; undefined when it has none. */
function makeQuery(kind, usable, doc, rand, used) {
  if (kind === "inflected") {
    // Not names: a word it writes capitalised (Telia) has no plural.
    const forms = usable.filter((w) => !doc.named.has(w)).flatMap((word) => inflections(word).filter((f) => !doc.words.has(f) && !used.has(f)));
    return forms.length ? pick(rand, forms) : undefined;
  }
  const count = { word: 1, two: 2, three: 3 }[kind];
  const byStem = [...new Map(usable.map((w) => [stemmer(w), w])).values()];
  if (byStem.length < count) return undefined;
  for (let attempt = 0; attempt < 5; attempt++) {
    const text = shuffle(rand, byStem).slice(0, count).join(" ");
    if (!used.has(text)) return text;
  }
  return undefined;
}

/**
 * Another form of an inflected word with the same stem (-ed → -ing, plural → singular), if any.
 * Only these: adding an -s to any word, or -ed to an -ing (nothing, building), makes too many
 * that are not words.
 */
function inflections(word) {
  const rules = [[/ied$/, "ying"], [/ed$/, "ing"], [/ies$/, "y"], [/(x|z|ch|sh)es$/, "$1"], [/([^aeious])es$/, "$1e"], [/([^suie])s$/, "$1"]];
  const [pattern, replacement] = rules.find(([pattern]) => pattern.test(word)) ?? [/$/, ""];
  const form = word.replace(pattern, replacement);
  return form !== word && stemmer(form) === stemmer(word) ? [form] : [];
}

/** The terms of a taxonomy: label (its page's <h1>) and the keys of the postmortems its page lists. */
function termsOf(dist, taxonomy, docs) {
  const folder = path.join(dist, taxonomy);
  if (!fs.existsSync(folder)) return [];
  const pages = new Set(docs.map((d) => d.key));
  return fs
    .readdirSync(folder)
    .sort()
    .filter((name) => fs.existsSync(path.join(folder, name, "index.html")))
    .map((name) => {
      const html = fs.readFileSync(path.join(folder, name, "index.html"), "utf8");
      const here = `${taxonomy}/${name}/index.html`;
      const listed = [...html.matchAll(/href="([^"]+)"/g)].map((m) => keyOf(new URL(m[1].replace(/&amp;/g, "&"), `http://x/${here}`).href)).filter((k) => pages.has(k));
      return { text: decodeEntities(/<h1[^>]*>([^<]*)<\/h1>/.exec(html)?.[1] ?? name), expected: [...new Set(listed)] };
    })
    .filter((t) => t.expected.length > 0);
}

function decodeEntities(text) {
  return text.replace(/&(amp|lt|gt|quot|#39);/g, (_, e) => ({ amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'" })[e]);
}

/** Serves a folder from a worker thread: in this thread, Playwright's handling of the browser's events would hold up the responses. */
async function host(dist, counted) {
  const sent = new SharedArrayBuffer(8);
  const worker = new Worker(new URL(import.meta.url), { workerData: { dist, counted, sent } });
  const port = await new Promise((resolve) => worker.once("message", resolve));
  return { worker, base: `http://127.0.0.1:${port}`, bytes: new Int32Array(sent) };
}

/** A page kept from query to query (a new one costs about a second); the server forbids caching, so each query still starts cold. */
async function openTab(browser) {
  const context = await browser.newContext();
  await context.addInitScript(markedText);
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  return { context, page, errors };
}

/** One known-item query on a just-opened search page: its first results, time, bytes and console errors. */
async function measured(tab, server, engine, query) {
  const before = tab.errors.length;
  Atomics.store(server.bytes, 0, 0);
  Atomics.store(server.bytes, 1, 0);
  await settled(tab.page, () => engine.open(tab.page));
  const result = await engine.first(tab.page, query);
  return { ...result, kb: Atomics.load(server.bytes, 0) / 1024, gzKb: Atomics.load(server.bytes, 1) / 1024, errors: tab.errors.slice(before) };
}

/** Runs the taxonomy queries one after another on one page: for each, how many of the postmortems its term page lists were found. */
async function termSearches(tab, engine, queries) {
  if (queries.length) await engine.open(tab.page);
  const found = [];
  for (const q of queries) {
    const keys = new Set((await engine.all(tab.page, q.text)).keys);
    found.push(q.expected.filter((k) => keys.has(k)).length);
  }
  return found;
}

/** In the page: an element's text and the [start, end) offsets of its <mark> elements in that text. */
function markedText() {
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
async function settled(page, load) {
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

async function hindsightOpen(page, base) {
  await page.goto(`${base}/search/index.html`);
  await page.waitForFunction(() => document.documentElement.classList.contains("search-ready"));
}

/** Types `query` into Hindsight's search page; false when no search ran (a query of stop words only, say). */
async function hindsightType(page, query, timeout) {
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
async function hindsightFirstPage(page, query) {
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
async function hindsightAll(page, query) {
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

async function hindsightResults(page) {
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
async function pagefindOpen(page, base) {
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
async function pagefindQuery(page, query, limit) {
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

/** Excerpt figures of one result: its marks, those not on word boundaries, the query's words it shows unmarked. */
function checkExcerpt({ text, marks }, query) {
  const wordChar = (c) => c !== undefined && /[\p{L}\p{N}]/u.test(c);
  const midWord = marks.filter(([start, end]) => wordChar(text[start - 1]) || wordChar(text[end]));
  const occurrences = [...text.matchAll(WORD)].map((m) => ({ stem: stemmer(m[0].toLowerCase()), start: m.index, end: m.index + m[0].length }));
  const unmarked = [...new Set((query.toLowerCase().match(WORD) ?? []).map(stemmer))].filter((stem) => {
    const here = occurrences.filter((o) => o.stem === stem);
    return here.length > 0 && !here.some((o) => marks.some(([a, b]) => a <= o.start && b >= o.end));
  });
  return { marks: marks.length, midWord: midWord.map(([s, e]) => text.slice(Math.max(0, s - 12), e + 12)), unmarked };
}

/** One engine's figures over the known-item queries. */
function summarize(known, results) {
  const ranks = known.map((q, i) => results[i].keys.indexOf(q.answer) + 1);
  const byKind = Object.fromEntries([...new Set(KINDS)].map((k) => [k, mrr(ranks.filter((_, i) => known[i].kind === k))]));
  const excerpts = results.flatMap((r, i) => r.excerpts.map((e) => ({ query: known[i].text, ...checkExcerpt(e, known[i].text) })));
  const at = (field) => median(results.map((r) => r[field]));
  return {
    ranks, byKind, mrr: mrr(ranks), hit1: share(ranks, 1), hit3: share(ranks, 3),
    ms: at("ms"), keyMs: at("keyMs"), kb: at("kb"), gzKb: at("gzKb"), excerpts, errors: results.flatMap((r) => r.errors),
  };
}

/** Prints one archive's table and the cases behind Hindsight's figures; true when its MRR or hit@3 is below Pagefind's. */
function report({ archive, docs, indexed, known, results, termQueries, found, verbose }) {
  const stats = { hindsight: summarize(known, results.hindsight), pagefind: summarize(known, results.pagefind) };
  const kinds = [...new Set(KINDS)].map((k) => `${known.filter((q) => q.kind === k).length} ${k}`).join(", ");
  console.log(`\n${archive}: ${docs} postmortems (Pagefind indexed ${indexed}); ${known.length} known-item queries (${kinds}); ${termQueries.length} taxonomy terms`);
  const row = (label, f) => console.log(`  ${label.padEnd(32)}${["hindsight", "pagefind"].map((e) => String(f(stats[e], e)).padStart(13)).join("")}`);
  const marks = (s, field) => sum(s.excerpts.map((e) => e[field].length));
  row("", (_, e) => (e === "hindsight" ? "Hindsight" : "Pagefind"));
  row("MRR@10", (s) => s.mrr.toFixed(3));
  for (const k of Object.keys(stats.hindsight.byKind)) row(`  ${k}`, (s) => s.byKind[k].toFixed(3));
  row("hit@1", (s) => percent(s.hit1));
  row("hit@3", (s) => percent(s.hit3));
  row("first result, median ms", (s) => s.ms);
  row("  from the keystroke", (s) => s.keyMs);
  row("first query, median KB (gzip)", (s) => `${Math.round(s.kb)} (${Math.round(s.gzKb)})`);
  row("top-3 excerpts", (s) => s.excerpts.length);
  row("  without <mark>", (s) => s.excerpts.filter((e) => e.marks === 0).length);
  row("  marks mid-word / all", (s) => `${marks(s, "midWord")} / ${sum(s.excerpts.map((e) => e.marks))}`);
  row("  query words left unmarked", (s) => marks(s, "unmarked"));
  row("console errors", (s) => s.errors.length);
  for (const [e, s] of Object.entries(stats)) if (s.errors.length) console.log(`    ${e}: ${list([...new Set(s.errors)].map((m) => m.slice(0, 160)), 3)}`);
  for (const taxonomy of new Set(termQueries.map((q) => q.taxonomy))) {
    const mine = termQueries.map((q, i) => ({ ...q, i })).filter((q) => q.taxonomy === taxonomy);
    row(`${taxonomy}: ${mine.length} terms, ${sum(mine.map((q) => q.expected.length))} listed`, (_, e) => `${sum(mine.map((q) => found[e][q.i]))} found`);
    row("  terms with none found", (_, e) => mine.filter((q) => found[e][q.i] === 0).length);
    const missed = mine.filter((q) => found.hindsight[q.i] === 0).map((q) => q.text);
    if (missed.length) console.log(`    Hindsight finds nothing for: ${list(missed, 12)}`);
  }
  const { hindsight: h, pagefind: p } = stats;
  const worse = known.flatMap((q, i) => ((h.ranks[i] || 99) > (p.ranks[i] || 99) ? [`"${q.text}" (${q.kind}) ${h.ranks[i] || "–"}/${p.ranks[i] || "–"}`] : []));
  if (worse.length) console.log(`  Hindsight ranks below Pagefind (${worse.length}; its rank/Pagefind's): ${list(worse, 15)}`);
  const cases = (title, items) => items.length && console.log(`  Hindsight ${title} (${items.length}): ${list(items, 10)}`);
  cases("excerpts without <mark>", h.excerpts.filter((e) => e.marks === 0).map((e) => `"${e.query}"`));
  cases("marks mid-word", h.excerpts.flatMap((e) => e.midWord.map((m) => `"${e.query}" in …${m.replace(/\s+/g, " ")}…`)));
  cases("leaves unmarked", h.excerpts.filter((e) => e.unmarked.length).map((e) => `"${e.query}"`));
  if (verbose) for (const [i, q] of known.entries()) console.log(`    ${q.kind.padEnd(10)}${h.ranks[i] || "–"}/${p.ranks[i] || "–"}  "${q.text}" → ${q.answer}`);
  const behind = h.mrr < p.mrr || h.hit3 < p.hit3;
  console.log(`  ${behind ? "FAIL: Hindsight's MRR or hit@3 is below Pagefind's" : "ok: Hindsight's MRR and hit@3 are at least Pagefind's"}`);
  return behind;
}

function sum(values) {
  return values.reduce((a, b) => a + b, 0);
}
function mrr(ranks) {
  return ranks.length ? sum(ranks.map((r) => (r ? 1 / r : 0))) / ranks.length : NaN;
}
function share(ranks, n) {
  return ranks.filter((r) => r > 0 && r <= n).length / ranks.length;
}
function percent(x) {
  return `${Math.round(x * 100)}%`;
}
function median(values) {
  const known = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  return known[Math.floor((known.length - 1) / 2)] ?? NaN;
}
function list(items, n) {
  return `${items.slice(0, n).join(", ")}${items.length > n ? `, … (${items.length - n} more)` : ""}`;
}

/** A seeded generator of numbers in [0, 1) (mulberry32): the same queries on every run. */
function random(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function pick(rand, items) {
  return items[Math.floor(rand() * items.length)];
}
function shuffle(rand, items) {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
function sample(items, n, seed) {
  return n >= items.length ? items : shuffle(random(seed), items).slice(0, n).sort((a, b) => a.text.localeCompare(b.text));
}
