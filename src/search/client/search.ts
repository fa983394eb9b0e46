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
type Postings = Map<string, { docs: Uint32Array; weights: Uint8Array }>;

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

/** Decodes a term chunk: per term, varint doc deltas and one weight byte each. */
function decodeChunk(buffer: ArrayBuffer): Postings {
  const bytes = new Uint8Array(buffer);
  const decoder = new TextDecoder();
  const out: Postings = new Map();
  let i = 0;
  const varint = () => {
    let value = 0;
    let shift = 1;
    for (;;) {
      const b = bytes[i++]!;
      value += (b & 0x7f) * shift;
      if (b < 0x80) return value;
      shift *= 128;
    }
  };
  while (i < bytes.length) {
    const length = varint();
    const term = decoder.decode(bytes.subarray(i, i + length));
    i += length;
    const count = varint();
    const docs = new Uint32Array(count);
    const weights = new Uint8Array(count);
    let doc = 0;
    for (let j = 0; j < count; j++) {
      doc += varint();
      docs[j] = doc;
      weights[j] = bytes[i++]!;
    }
    out.set(term, { docs, weights });
  }
  return out;
}

/** The chunks that can hold a term, or every term starting with a prefix. */
function chunksFor(m: Meta, term: string, prefix: string | undefined): string[] {
  const covers = ([first, last]: [string, string, string]) => first <= term && term <= last;
  const overlaps = ([first, last]: [string, string, string]) => prefix !== undefined && last >= prefix && first <= `${prefix}\uffff`;
  return m.chunks.filter((chunk) => covers(chunk) || overlaps(chunk)).slice(0, 4).map(([, , file]) => file);
}

/** Scores every document that matches all the words of the query (BM25 weights from the index). */
async function score(m: Meta, query: string): Promise<Map<number, number> | undefined> {
  const all = words(query).filter((w) => !STOPWORDS.has(w));
  if (all.length === 0) return undefined;
  const typing = !/\s$/.test(query);
  let result: Map<number, number> | undefined;
  for (const [index, word] of all.entries()) {
    const term = termOf(word, stemmer);
    const prefix = typing && index === all.length - 1 && word.length >= 2 ? word : undefined;
    const chunks = await Promise.all(chunksFor(m, term, prefix).map((file) => fetchOnce(at(m, file), (r) => r.arrayBuffer().then(decodeChunk))));
    const hits = new Map<number, number>();
    let expansions = 0;
    for (const postings of chunks) {
      for (const [candidate, entry] of postings) {
        const exact = candidate === term;
        if (!exact && !(prefix && candidate.startsWith(prefix) && expansions++ < MAX_PREFIX_TERMS)) continue;
        // A word completed from a prefix counts a little less than the word itself.
        const factor = exact ? 1 : 0.8;
        entry.docs.forEach((doc, j) => hits.set(doc, Math.max(hits.get(doc) ?? 0, (entry.weights[j]! / 255) * factor)));
      }
    }
    const idf = Math.log(1 + (m.docs - hits.size + 0.5) / (hits.size + 0.5));
    const next = new Map<number, number>();
    for (const [doc, weight] of hits) {
      if (result && !result.has(doc)) continue;
      next.set(doc, (result?.get(doc) ?? 0) + idf * weight);
    }
    result = next;
    if (result.size === 0) break;
  }
  return result;
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
  saveState(query, filters);
  const [scores, pass] = await Promise.all([score(m, query), allowed(m, filters)]);
  if (current !== generation) return;
  let docs: number[];
  if (scores) docs = [...scores.keys()];
  else if (filters.size > 0) docs = Array.from({ length: m.docs }, (_, i) => i);
  else {
    list.replaceChildren();
    more.hidden = true;
    status.textContent = "Type to search every postmortem, or pick filters.";
    return;
  }
  if (pass) docs = docs.filter(pass);
  // Ids follow the archive's order, newest first: sorting by date is sorting by id.
  if (sort.value === "date" || !scores) docs.sort((a, b) => a - b);
  else docs.sort((a, b) => scores.get(b)! - scores.get(a)! || a - b);
  shown = docs;
  list.replaceChildren();
  await showMore(m, query);
  if (current !== generation) return;
  const ms = Math.round(performance.now() - started);
  status.textContent = `${docs.length.toLocaleString("en")} ${docs.length === 1 ? "result" : "results"} (${ms} ms)`;
  document.body.dataset.searchMs = String(ms);
}

async function showMore(m: Meta, query: string): Promise<void> {
  const from = list.children.length;
  const page = shown.slice(from, from + PAGE_SIZE);
  const fragments = await Promise.all(page.map((doc) => fetchOnce<Fragment>(at(m, `f/${doc}.json`), (r) => r.json())));
  list.append(...fragments.map((f) => resultItem(m, f, query)));
  more.hidden = list.children.length >= shown.length;
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
more.addEventListener("click", () => void meta.then((m) => showMore(m, input.value)).catch(fail));
loadState();
document.documentElement.classList.add("search-ready");
void run().catch(fail);
