// The search page's client: a small ES module, no framework. It fetches search/meta.json as the
// page opens, the term chunks of the words as they are typed, the facet bitsets of the filters
// in use, and the fragments of the results it shows (Pagefind's design). The page works as
// links without it.
import { FRAGMENT_NAME, NAMES_PER_PAGE, type ChunkRange, type Fragment, type SearchMeta as Meta } from "./format.js";
import { element, resultItem } from "./card.js";
import { chunkRanges, inflate, readChunk, type Chunk } from "./chunk.js";
import { planQuery, type Plan, type QueryOptions } from "./query.js";
import { rankAll, score, topByScore, warmUp, type Matched } from "./score.js";
import { stemmer } from "./stemmer.js";
import { STOPWORDS } from "./tokenize.js";

const PAGE_SIZE = 10;
/** Fragments requested at once for a new page of results, about a screenful; the others wait for the first. */
const FIRST_FRAGMENTS = 4;

/** An element the theme's search page must have, of the kind the client uses: it cannot work without it. */
function required<E extends Element>(selector: string, kind: new () => E): E {
  const found = document.querySelector(selector);
  if (!(found instanceof kind)) throw new Error(`The search page has no ${kind.name} ${selector}: the search client cannot start`);
  return found;
}

const form = required("#SearchForm", HTMLFormElement);
const input = required("#SearchQuery", HTMLInputElement);
const sort = required("#SearchSort", HTMLSelectElement);
const status = required("#SearchStatus", HTMLElement);
const list = required("#SearchResults", HTMLElement);
const more = required("#SearchMore", HTMLElement);

const cache = new Map<string, Promise<unknown>>();
function fetchOnce<T>(url: string, read: (response: Response) => Promise<T>): Promise<T> {
  let pending = cache.get(url) as Promise<T> | undefined;
  if (!pending) {
    pending = fetch(url).then((response) => {
      if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
      return read(response);
    });
    // A failed request is not kept: the next search asks again.
    pending.catch(() => cache.delete(url));
    cache.set(url, pending);
  }
  return pending;
}

const meta = fetchOnce<Meta>("meta.json", (r) => r.json());
/** The pages of names of an archive of up to this many pages (512 postmortems, 4 KB) are fetched as the page opens. */
const PREFETCHED_NAME_PAGES = 2;
const namesOf = (page: string) => fetchOnce<string>(`n/${page}.txt`, (r) => r.text());
// Most archives are that small: their first results then wait for one request (the fragment),
// not two in a row (its page of names, then the fragment). A failure is the search's to say.
void meta.then(
  (m) => {
    if (m.names.length <= PREFETCHED_NAME_PAGES) for (const page of m.names) namesOf(page).catch(() => undefined);
  },
  () => undefined,
);
const at = (m: Meta, file: string) => `${m.base}/${file}`;
const loadChunk = (m: Meta) => (file: string) => fetchOnce<Chunk>(at(m, file), (r) => r.arrayBuffer().then(inflate).then(readChunk));
const options = (m: Meta): QueryOptions => ({ stem: stemmer, stopwords: m.stopwords ? STOPWORDS : undefined, typos: m.typos });

let ranges: { m: Meta; chunks: ChunkRange[] } | undefined;
/** The chunks `meta.json` lists, read once. */
function rangesOf(m: Meta): ChunkRange[] {
  if (ranges?.m !== m) ranges = { m, chunks: chunkRanges(m) };
  return ranges.chunks;
}

let planned: { query: string; plans: Plan[] } | undefined;
/** The query's plan, made once per query text: its chunks start loading when it is made. */
function plan(m: Meta, query: string): Plan[] {
  if (planned?.query !== query) planned = { query, plans: planQuery(query, rangesOf(m), options(m), loadChunk(m)) };
  return planned.plans;
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
      const file = m.facets[facet]?.file;
      if (file === undefined) throw new Error(`The search index has no filter ${facet}`);
      const bits = await fetchOnce<Record<string, string>>(at(m, file), (r) => r.json());
      return values.map((v) => Uint8Array.from(atob(bits[v] ?? ""), (c) => c.charCodeAt(0)));
    }),
  );
  return (doc) => sets.every((facet) => facet.some((bits) => ((bits[doc >> 3] ?? 0) >> (doc & 7)) & 1));
}

/** The results of the current search in order (ranking all of them waits until more than a page is wanted), and what the query matched. */
let results: { count: number; ordered: number[]; rest: (() => number[]) | undefined; matched: Matched | undefined } = {
  count: 0,
  ordered: [],
  rest: undefined,
  matched: undefined,
};
let generation = 0;

async function run(): Promise<void> {
  const started = performance.now();
  const current = ++generation;
  const m = await meta;
  const query = input.value;
  const filters = checkedFilters();
  const [result, pass] = await Promise.all([score(m.docs, plan(m, query)), allowed(m, filters)]);
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
  const matched = result?.matched;
  if (sort.value === "date" || !result) results = { count: docs.length, ordered: Array.from(Uint32Array.from(docs).sort()), rest: undefined, matched };
  else {
    const { scores } = result;
    const ranked = docs;
    results = { count: docs.length, ordered: topByScore(docs, scores, PAGE_SIZE), rest: () => rankAll(ranked, scores), matched };
  }
  const firstShown = showMore(m, true, () => current === generation);
  await firstShown.first;
  if (current !== generation) return;
  // Results are on screen once the first one is: the others fill in as their fragments arrive.
  const ms = Math.round(performance.now() - started);
  await firstShown.all;
  if (current !== generation) return;
  // After the results: updating the address can make the browser do work (the favicon) first.
  saveState(query, filters);
  status.textContent = `${thousands(results.count)} ${results.count === 1 ? "result" : "results"} (${ms} ms)`;
  document.body.dataset.searchMs = String(ms);
  document.body.dataset.searchTiming = `index ${Math.round(scored - started)} ms, fragments ${Math.round(performance.now() - scored)} ms`;
}

/** A document's fragment, through the page of names that has its name. */
async function fragmentOf(m: Meta, doc: number): Promise<Fragment> {
  const page = m.names[Math.floor(doc / NAMES_PER_PAGE)];
  if (page === undefined) throw new Error(`no page of names has document ${doc}`);
  const names = await namesOf(page);
  const at = (doc % NAMES_PER_PAGE) * FRAGMENT_NAME;
  return fetchOnce<Fragment>(`f/${names.slice(at, at + FRAGMENT_NAME)}.json`, (r) => r.json() as Promise<Fragment>);
}

/**
 * Shows the first page of results (`fresh`, replacing the list) or the next one, each filled in
 * as soon as its fragment arrives, in order. The list changes only when the first fragment is
 * here: until then the previous results stay. Only the first few fragments are requested at
 * once: each request costs the page's main thread a millisecond or more, and the first result
 * should not wait behind them.
 */
function showMore(m: Meta, fresh: boolean, isCurrent: () => boolean): { first: Promise<void>; all: Promise<void> } {
  const from = fresh ? 0 : list.children.length;
  if (results.rest && results.ordered.length < from + PAGE_SIZE) {
    results.ordered = results.rest();
    results.rest = undefined;
  }
  const page = results.ordered.slice(from, from + PAGE_SIZE);
  const request = (doc: number) => fragmentOf(m, doc);
  const early = page.slice(0, FIRST_FRAGMENTS).map(request);
  const firstArrived = early.length ? Promise.race(early) : Promise.resolve();
  const fragments = [...early, ...page.slice(FIRST_FRAGMENTS).map((doc) => firstArrived.then(() => request(doc)))];
  const { count, matched } = results;
  // Each result's place in the list, put there when the first fragment arrives.
  const shown = fragments.map((fragment) => ({ fragment, slot: element("li", "pm-item loading") }));
  let placed = false;
  const place = () => {
    if (placed) return;
    placed = true;
    if (fresh) list.replaceChildren();
    list.append(...shown.map(({ slot }) => slot));
    more.hidden = from + page.length >= count;
  };
  if (page.length === 0) place();
  const filled = shown.map(({ fragment, slot }) =>
    fragment.then((f) => {
      if (!isCurrent()) return;
      place();
      slot.replaceWith(resultItem(m, f, matched));
    }),
  );
  return { first: filled.length ? Promise.race(filled) : Promise.resolve(), all: Promise.all(filled).then(() => undefined) };
}

/** `12345` → `12,345`, without Intl: its first use loads locale data for tens of milliseconds. */
function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+$)/g, ",");
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
input.addEventListener("input", () => {
  // The words' chunks start loading with the keystroke, while the debounce waits.
  // A chunk that fails here is asked for again, and its failure shown, by the search itself.
  void meta
    .then((m) => {
      for (const { chunks } of plan(m, input.value)) void chunks.catch(() => undefined);
    })
    .catch(() => undefined);
  schedule();
});
form.addEventListener("change", () => void run().catch(fail));
more.addEventListener("click", () => {
  const current = generation;
  void meta.then((m) => showMore(m, false, () => current === generation).all).catch(fail);
});
loadState();
void warmUp();
document.documentElement.classList.add("search-ready");
void run().catch(fail);
