// The search page's client: a small ES module, no framework. It fetches search/meta.json, then
// only the term chunks its words fall in, the facet bitsets of the filters in use, and the
// fragments of the results it shows (Pagefind's design). The page works as links without it.
import { stemmer } from "./stemmer.js";
import { STOPWORDS, termOf, words } from "./tokenize.js";

interface Meta {
  base: string;
  docs: number;
  chunks: [string, string, string][];
  facets: Record<string, { file: string; values: [string, number][] }>;
  severities: [string, string, string][];
}
interface Fragment {
  url: string;
  title: string;
  severity: string | null;
  services: string[];
  date: string | null;
  summary: string | null;
  text: string;
}
/** A chunk's terms, each with where its postings start and how many there are (decoded on demand). */
type Chunk = { bytes: Uint8Array; terms: Map<string, { count: number; offset: number }> };

const PAGE_SIZE = 10;
const MAX_PREFIX_TERMS = 60;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

const form = document.querySelector<HTMLFormElement>("#SearchForm")!;
const input = document.querySelector<HTMLInputElement>("#SearchQuery")!;
const sort = document.querySelector<HTMLSelectElement>("#SearchSort")!;
const status = document.querySelector<HTMLElement>("#SearchStatus")!;
const list = document.querySelector<HTMLOListElement>("#SearchResults")!;
const more = document.querySelector<HTMLButtonElement>("#SearchMore")!;
// Pages of the archive are linked from the search page, one folder below the root.
const toRoot = "../";

const cache = new Map<string, Promise<unknown>>();
function fetchOnce<T>(url: string, read: (response: Response) => Promise<T>): Promise<T> {
  let pending = cache.get(url) as Promise<T> | undefined;
  if (!pending) {
    pending = fetch(url).then((response) => {
      if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
      return read(response);
    });
    cache.set(url, pending);
  }
  return pending;
}

const meta = fetchOnce<Meta>("meta.json", (r) => r.json());
const at = (m: Meta, file: string) => `${m.base}/${file}`;

/** Reads a varint at `at.i`, moving it on. */
function varint(bytes: Uint8Array, at: { i: number }): number {
  let value = 0;
  let shift = 1;
  for (;;) {
    const b = bytes[at.i++]!;
    value += (b & 0x7f) * shift;
    if (b < 0x80) return value;
    shift *= 128;
  }
}

/** Indexes a term chunk (term, count, byte length, postings…) without decoding any postings. */
function readChunk(buffer: ArrayBuffer): Chunk {
  const bytes = new Uint8Array(buffer);
  const decoder = new TextDecoder();
  const terms = new Map<string, { count: number; offset: number }>();
  const at = { i: 0 };
  while (at.i < bytes.length) {
    const length = varint(bytes, at);
    const term = decoder.decode(bytes.subarray(at.i, at.i + length));
    at.i += length;
    const count = varint(bytes, at);
    const size = varint(bytes, at);
    terms.set(term, { count, offset: at.i });
    at.i += size;
  }
  return { bytes, terms };
}

/** Keeps, per document, the best weight of any term matching one word of the query. */
function addPostings(chunk: Chunk, entry: { count: number; offset: number }, factor: number, best: Float32Array, touched: number[]): void {
  const at = { i: entry.offset };
  let doc = 0;
  for (let j = 0; j < entry.count; j++) {
    doc += varint(chunk.bytes, at);
    const weight = (chunk.bytes[at.i++]! / 255) * factor;
    if (best[doc] === 0) touched.push(doc);
    if (weight > best[doc]!) best[doc] = weight;
  }
}

/** The chunks that can hold a term, or every term starting with a prefix. */
function chunksFor(m: Meta, term: string, prefix: string | undefined): string[] {
  const covers = ([first, last]: [string, string, string]) => first <= term && term <= last;
  const overlaps = ([first, last]: [string, string, string]) => prefix !== undefined && last >= prefix && first <= `${prefix}\uffff`;
  return m.chunks.filter((chunk) => covers(chunk) || overlaps(chunk)).slice(0, 4).map(([, , file]) => file);
}

/**
 * Scores every document that matches all the words of the query: BM25 weights from the index
 * times each word's idf. Dense typed arrays over all documents are faster than maps here.
 */
async function score(m: Meta, query: string): Promise<{ docs: number[]; scores: Float64Array } | undefined> {
  const all = words(query).filter((w) => !STOPWORDS.has(w));
  if (all.length === 0) return undefined;
  const typing = !/\s$/.test(query);
  const plans = all.map((word, index) => {
    const term = termOf(word, stemmer);
    const prefix = typing && index === all.length - 1 && word.length >= 2 ? word : undefined;
    // Every word's chunks are fetched at once.
    const chunks = Promise.all(chunksFor(m, term, prefix).map((file) => fetchOnce(at(m, file), (r) => r.arrayBuffer().then(readChunk))));
    return { term, prefix, chunks };
  });
  const scores = new Float64Array(m.docs);
  const matched = new Uint8Array(m.docs);
  let candidates: number[] = [];
  for (const [index, plan] of plans.entries()) {
    const best = new Float32Array(m.docs);
    const touched: number[] = [];
    let expansions = 0;
    for (const chunk of await plan.chunks) {
      for (const [candidate, entry] of chunk.terms) {
        const exact = candidate === plan.term;
        if (!exact && !(plan.prefix && candidate.startsWith(plan.prefix) && expansions++ < MAX_PREFIX_TERMS)) continue;
        // A word completed from a prefix counts a little less than the word itself.
        addPostings(chunk, entry, exact ? 1 : 0.8, best, touched);
      }
    }
    const idf = Math.log(1 + (m.docs - touched.length + 0.5) / (touched.length + 0.5));
    const next: number[] = [];
    for (const doc of touched) {
      if (matched[doc] !== index) continue;
      matched[doc] = index + 1;
      scores[doc] = scores[doc]! + idf * best[doc]!;
      next.push(doc);
    }
    candidates = next;
    if (candidates.length === 0) break;
  }
  return { docs: candidates, scores };
}

/** The checked filters: facet → values. */
function checkedFilters(): Map<string, string[]> {
  const filters = new Map<string, string[]>();
  for (const box of form.querySelectorAll<HTMLInputElement>("input[type=checkbox]:checked")) {
    filters.set(box.name, [...(filters.get(box.name) ?? []), box.value]);
  }
  return filters;
}

/** Documents allowed by the filters (any value within a facet, every facet), or undefined for all. */
async function allowed(m: Meta, filters: Map<string, string[]>): Promise<((doc: number) => boolean) | undefined> {
  if (filters.size === 0) return undefined;
  const sets = await Promise.all(
    [...filters].map(async ([facet, values]) => {
      const bits = await fetchOnce<Record<string, string>>(at(m, m.facets[facet]!.file), (r) => r.json());
      return values.map((v) => Uint8Array.from(atob(bits[v] ?? ""), (c) => c.charCodeAt(0)));
    }),
  );
  return (doc) => sets.every((facet) => facet.some((bits) => ((bits[doc >> 3] ?? 0) >> (doc & 7)) & 1));
}

let shown: number[] = [];
let generation = 0;

async function run(): Promise<void> {
  const started = performance.now();
  const current = ++generation;
  const m = await meta;
  const query = input.value;
  const filters = checkedFilters();
  const [result, pass] = await Promise.all([score(m, query), allowed(m, filters)]);
  const scored = performance.now();
  if (current !== generation) return;
  let docs: number[];
  if (result) docs = result.docs;
  else if (filters.size > 0) docs = Array.from({ length: m.docs }, (_, i) => i);
  else {
    saveState(query, filters);
    list.replaceChildren();
    more.hidden = true;
    status.textContent = "Type to search every postmortem, or pick filters.";
    return;
  }
  if (pass) docs = docs.filter(pass);
  // Ids follow the archive's order, newest first: sorting by date is sorting by id.
  if (sort.value === "date" || !result) docs.sort((a, b) => a - b);
  else {
    const scores = result.scores;
    const ranked = docs.map((doc) => ({ doc, score: scores[doc]! }));
    ranked.sort((a, b) => b.score - a.score || a.doc - b.doc);
    docs = ranked.map((r) => r.doc);
  }
  shown = docs;
  list.replaceChildren();
  const firstShown = showMore(m, query);
  await firstShown.first;
  if (current !== generation) return;
  // Results are on screen once the first one is: the others fill in as their fragments arrive.
  const ms = Math.round(performance.now() - started);
  await firstShown.all;
  if (current !== generation) return;
  // After the results: updating the address can make the browser do work (the favicon) first.
  saveState(query, filters);
  status.textContent = `${docs.length.toLocaleString("en")} ${docs.length === 1 ? "result" : "results"} (${ms} ms)`;
  document.body.dataset.searchMs = String(ms);
  document.body.dataset.searchTiming = `index ${Math.round(scored - started)} ms, fragments ${Math.round(performance.now() - scored)} ms`;
}

/** Shows the next page of results, each filled in as soon as its fragment arrives, in order. */
function showMore(m: Meta, query: string): { first: Promise<void>; all: Promise<void> } {
  const from = list.children.length;
  const page = shown.slice(from, from + PAGE_SIZE);
  const slots = page.map(() => list.appendChild(element("li", "pm-item loading")));
  more.hidden = from + page.length >= shown.length;
  const filled = page.map((doc, i) =>
    fetchOnce<Fragment>(at(m, `f/${doc}.json`), (r) => r.json()).then((f) => void slots[i]!.replaceWith(resultItem(m, f, query))),
  );
  return { first: filled.length ? Promise.race(filled) : Promise.resolve(), all: Promise.all(filled).then(() => undefined) };
}

function resultItem(m: Meta, f: Fragment, query: string): HTMLLIElement {
  const item = element("li", "pm-item");
  const info = element("div", "pm-item-meta");
  const level = m.severities.find(([id]) => id === f.severity);
  const badge = element("span", level ? "badge sev" : "badge sev unrated", level ? level[1] : "Unrated");
  if (level) badge.style.setProperty("--sev", level[2]);
  info.append(badge, element("time", "", formatDate(f.date)));
  const title = element("h3", "pm-item-title");
  const link = element("a", "", f.title) as HTMLAnchorElement;
  link.href = toRoot + f.url;
  title.append(link);
  const excerpt = element("p", "pm-item-summary excerpt");
  highlight(excerpt, excerptOf(`${f.summary ?? ""} ${f.text}`.trim(), query), query);
  const chips = element("ul", "chips");
  for (const service of f.services) {
    const chip = element("li", "");
    chip.append(element("span", "chip", service));
    chips.append(chip);
  }
  item.append(info, title, excerpt, chips);
  return item as HTMLLIElement;
}

/** About 220 characters of text around the first word of the query found in it. */
function excerptOf(text: string, query: string): string {
  const lower = text.toLowerCase();
  const hits = words(query).map((w) => lower.indexOf(w)).filter((i) => i >= 0);
  const first = hits.length ? Math.min(...hits) : 0;
  const start = Math.max(0, first - 80);
  const end = Math.min(text.length, start + 220);
  return `${start > 0 ? "…" : ""}${text.slice(start, end).trim()}${end < text.length ? "…" : ""}`;
}

/** Fills `target` with `text`, the words of the query (and words they begin) in <mark>. */
function highlight(target: HTMLElement, text: string, query: string): void {
  const terms = words(query).filter((w) => !STOPWORDS.has(w)).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  if (terms.length === 0) return void (target.textContent = text);
  const pattern = new RegExp(`(${terms.join("|")})[\\p{L}\\p{N}]*`, "giu");
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    target.append(text.slice(last, match.index), element("mark", "", match[0]));
    last = match.index! + match[0].length;
  }
  target.append(text.slice(last));
}

function element(tag: string, className: string, text?: string): HTMLElement {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function formatDate(iso: string | null): string {
  if (!iso) return "Undated";
  return `${Number(iso.slice(8, 10))} ${MONTHS[Number(iso.slice(5, 7)) - 1] ?? "?"} ${iso.slice(0, 4)}`;
}

/** Keeps the query and filters in the address, so a search can be shared. */
function saveState(query: string, filters: Map<string, string[]>): void {
  const params = new URLSearchParams();
  if (query) params.set("q", query);
  for (const [facet, values] of filters) for (const value of values) params.append(facet, value);
  if (sort.value !== "relevance") params.set("sort", sort.value);
  const search = params.toString();
  history.replaceState(null, "", search ? `?${search}` : location.pathname);
}

function loadState(): void {
  const params = new URLSearchParams(location.search);
  input.value = params.get("q") ?? "";
  sort.value = params.get("sort") === "date" ? "date" : "relevance";
  for (const box of form.querySelectorAll<HTMLInputElement>("input[type=checkbox]")) {
    box.checked = params.getAll(box.name).includes(box.value);
  }
}

let timer: ReturnType<typeof setTimeout> | undefined;
const schedule = () => {
  clearTimeout(timer);
  timer = setTimeout(() => void run().catch(fail), 60);
};
function fail(error: unknown): void {
  status.textContent = "Search is unavailable: the index could not be loaded.";
  console.warn(error);
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  void run().catch(fail);
});
input.addEventListener("input", schedule);
form.addEventListener("change", () => void run().catch(fail));
more.addEventListener("click", () => void meta.then((m) => showMore(m, input.value).all).catch(fail));
loadState();
document.documentElement.classList.add("search-ready");
void run().catch(fail);
