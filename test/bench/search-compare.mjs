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
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import { stemmer } from "stemmer";
import {
  hindsightAll,
  hindsightFirstPage,
  hindsightOpen,
  host,
  measured,
  openTab,
  pagefindOpen,
  pagefindQuery,
  termSearches,
} from "./search-compare/browser.mjs";
import { DEFAULT_TAXONOMIES, KINDS, WORD, knownItemQueries, readPostmortems, sample, termsOf } from "./search-compare/queries.mjs";

const PAGEFIND_VERSION = "1.6.0";

await main();

async function main() {
  const root = path.resolve(import.meta.dirname, "..", "..");
  const args = process.argv.slice(2);
  const option = (name, fallback) => {
    const value = args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
    return value === undefined ? fallback : value === "all" ? Infinity : Number(value);
  };
  const settings = {
    queries: option("queries", 120),
    terms: option("terms", 150),
    seed: option("seed", 16),
    keep: args.includes("--keep"),
    verbose: args.includes("--verbose"),
  };
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
    pagefind: {
      open: (page) => pagefindOpen(page, hosts.pagefind.base),
      first: (page, q) => pagefindQuery(page, q, 10),
      all: (page, q) => pagefindQuery(page, q, Infinity),
    },
  };
  const tabs = { hindsight: await openTab(browser), pagefind: await openTab(browser) };
  try {
    const results = { hindsight: [], pagefind: [] };
    // One query on each engine in turn, so that both see the machine in the same state.
    for (const q of known) for (const name of ["hindsight", "pagefind"]) results[name].push(await measured(tabs[name], hosts[name], engines[name], q.text));
    const found = {
      hindsight: await termSearches(tabs.hindsight, engines.hindsight, termQueries),
      pagefind: await termSearches(tabs.pagefind, engines.pagefind, termQueries),
    };
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
    throw new Error(`${path.basename(command)} ${args[0] ?? ""} failed in ${cwd}:\n${`${error.stdout ?? ""}${error.stderr ?? ""}`.slice(-3000)}`, {
      cause: error,
    });
  }
}

/** The Pagefind binary, installed into $PEERS on first use as peers.sh installs it. */
function installPagefind() {
  const peers = process.env.PEERS ?? "/tmp/hindsight-peers";
  const version = () => JSON.parse(fs.readFileSync(path.join(peers, "node_modules", "pagefind", "package.json"), "utf8")).version;
  let installed;
  try {
    installed = version();
  } catch {
    // Not installed yet: installed below.
  }
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
    ranks,
    byKind,
    mrr: mrr(ranks),
    hit1: share(ranks, 1),
    hit3: share(ranks, 3),
    ms: at("ms"),
    keyMs: at("keyMs"),
    kb: at("kb"),
    gzKb: at("gzKb"),
    excerpts,
    errors: results.flatMap((r) => r.errors),
  };
}

/** Prints one archive's table and the cases behind Hindsight's figures; true when its MRR or hit@3 is below Pagefind's. */
function report({ archive, docs, indexed, known, results, termQueries, found, verbose }) {
  const stats = { hindsight: summarize(known, results.hindsight), pagefind: summarize(known, results.pagefind) };
  const kinds = [...new Set(KINDS)].map((k) => `${known.filter((q) => q.kind === k).length} ${k}`).join(", ");
  console.log(
    `\n${archive}: ${docs} postmortems (Pagefind indexed ${indexed}); ${known.length} known-item queries (${kinds}); ${termQueries.length} taxonomy terms`,
  );
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
  for (const [e, s] of Object.entries(stats))
    if (s.errors.length)
      console.log(
        `    ${e}: ${list(
          [...new Set(s.errors)].map((m) => m.slice(0, 160)),
          3,
        )}`,
      );
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
  cases(
    "excerpts without <mark>",
    h.excerpts.filter((e) => e.marks === 0).map((e) => `"${e.query}"`),
  );
  cases(
    "marks mid-word",
    h.excerpts.flatMap((e) => e.midWord.map((m) => `"${e.query}" in …${m.replace(/\s+/g, " ")}…`)),
  );
  cases(
    "leaves unmarked",
    h.excerpts.filter((e) => e.unmarked.length).map((e) => `"${e.query}"`),
  );
  if (verbose)
    for (const [i, q] of known.entries()) console.log(`    ${q.kind.padEnd(10)}${h.ranks[i] || "–"}/${p.ranks[i] || "–"}  "${q.text}" → ${q.answer}`);
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
