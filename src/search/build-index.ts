import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import type { ResolvedConfig } from "../config.js";
import { termKey, termsOf } from "../util/terms.js";
import type { LazyOutputFile, Output, OutputFile, RenderedPostmortem } from "../types.js";
import { hashText } from "../util/hash.js";
import { postmortemPath } from "../util/urls.js";
import { readClientModule } from "../util/client-modules.js";
import { FRAGMENT_NAME, NAMES_PER_PAGE, type Facet, type Fragment, type SearchMeta } from "../shared/search/format.js";
import { ByteWriter } from "./encode.js";
import { languageOf } from "./languages.js";
import { docTerms, taxonomyValues } from "./terms.js";

export { FRAGMENT_NAME, type SearchMeta } from "../shared/search/format.js";

// BM25 parameters, the usual ones; the per-document part of the score is computed here so that
// the browser needs no document lengths, only each term's postings.
const K1 = 1.2;
const B = 0.75;
const MAX_WEIGHT = K1 + 1;
const CHUNK_BYTES = 24 * 1024;
// Enough for the longest real postmortems seen (26 KB of Markdown), so that a match anywhere in one has an excerpt.
const EXCERPT_CHARS = 30_000;

/** A facet results can be filtered by: its label and how it reads a postmortem. */
interface FacetSpec {
  readonly label: string;
  readonly valuesOf: (pm: RenderedPostmortem) => readonly string[];
}

/**
 * The facets of an archive: severity, service, year, tag and status, then every other
 * configured taxonomy (`company`, `categories`) under its own key, as its pages name it.
 */
function facetSpecs(config: ResolvedConfig): Record<string, FacetSpec> {
  const specs: Record<string, FacetSpec> = {
    severity: { label: "Severity", valuesOf: (pm) => (pm.meta.severity ? [pm.meta.severity] : []) },
    service: { label: "Service", valuesOf: (pm) => pm.meta.services },
    year: { label: "Year", valuesOf: (pm) => (pm.meta.year ? [pm.meta.year] : []) },
    tag: { label: "Tag", valuesOf: (pm) => pm.meta.tags },
    status: { label: "Status", valuesOf: (pm) => [pm.meta.status] },
  };
  for (const key of config.taxonomies) {
    if (key === "services" || key === "tags" || key === "severity" || key in specs) continue;
    specs[key] = { label: key.charAt(0).toUpperCase() + key.slice(1), valuesOf: (pm) => termsOf(pm.meta, key) };
  }
  return specs;
}

/**
 * Builds the full-text index from the pipeline's own records, on Pagefind's design: term
 * chunks sorted by term (the client fetches only the chunks its words fall in), one fragment
 * per postmortem (fetched only for results shown), a bitset file per facet, and a small
 * `meta.json` naming them. Everything but `meta.json` lives in a folder named by the hash of
 * its contents, so hosts can cache it forever. Document ids follow the archive's order
 * (newest first), so sorting by date is sorting by id.
 */
export function buildSearchIndex(postmortems: readonly RenderedPostmortem[], config: ResolvedConfig): { files: Output[]; meta: SearchMeta } {
  const severities = config.severities.map((level) => [level.id, level.label, level.color] as const);
  const postings = collectPostings(postmortems, config);
  const files: Output[] = [];
  const chunks = encodeChunks(postings);
  const facets = encodeFacets(postmortems, config);
  const fragments = fragmentFiles(postmortems, config.taxonomies);
  const client = clientFiles(config.language);
  const all = [...chunks.map((c) => c.file), ...facets.files, ...client];
  // The folder name hashes every file in it: a change anywhere gives a new folder.
  const version = hashText(all.map((f) => `${f.path}\0${hashText(f.contents)}`).join("\n")).slice(0, 12);
  for (const file of all) files.push({ path: `search/${version}/${file.path}`, contents: file.contents });
  files.push(...fragments.files);
  const names = namePages(fragments.names);
  files.push(...names.files);
  const meta: SearchMeta = {
    version: 4,
    base: version,
    docs: postmortems.length,
    names: names.pages,
    chunks: chunks.map((c) => [c.first, c.last, c.file.path] as const),
    facets: facets.meta,
    severities,
    language: config.language,
    typos: config.search.typos,
    stopwords: languageOf(config.language).stopwords !== undefined,
  };
  files.push({ path: "search/meta.json", contents: JSON.stringify(meta) });
  return { files, meta };
}

/** Every term's postings: term `t` has documents `docs[starts[t]…starts[t + 1]]`, in order, with their weights. */
interface Postings {
  readonly terms: readonly string[];
  readonly starts: Uint32Array;
  readonly docs: Uint32Array;
  readonly weights: Uint8Array;
}

/**
 * Adds up every postmortem's term counts (see `docTerms`) and turns them into BM25 weights
 * (one byte each), in flat arrays of term ids rather than a map per postmortem.
 */
function collectPostings(postmortems: readonly RenderedPostmortem[], config: ResolvedConfig): Postings {
  const terms: string[] = [];
  const termIds = new Map<string, number>();
  // Typed arrays, grown by doubling: millions of entries at 10,000 postmortems.
  let entryTerm: Uint32Array = new Uint32Array(1024);
  let entryFreq: Uint32Array = new Uint32Array(1024);
  let entries = 0;
  const docEnd = new Uint32Array(postmortems.length);
  const lengths = new Float64Array(postmortems.length);
  postmortems.forEach((pm, doc) => {
    // Counted when the postmortem was processed; counted here for one that was not (tests, dev).
    const { length, counts } = pm.terms ?? docTerms(pm.meta, pm.text, config);
    const parts = counts ? counts.split(" ") : [];
    if (entries + parts.length / 2 > entryTerm.length) {
      const size = Math.max(entryTerm.length * 2, entries + parts.length / 2);
      entryTerm = grow(entryTerm, size);
      entryFreq = grow(entryFreq, size);
    }
    for (let i = 0; i < parts.length; i += 2) {
      const term = parts[i]!;
      let id = termIds.get(term);
      if (id === undefined) {
        termIds.set(term, (id = terms.length));
        terms.push(term);
      }
      entryTerm[entries] = id;
      entryFreq[entries++] = Number(parts[i + 1]);
    }
    docEnd[doc] = entries;
    lengths[doc] = length;
  });
  // Counting sort by term: documents are visited in order, so each term's postings are too.
  const starts = new Uint32Array(terms.length + 1);
  for (let e = 0; e < entries; e++) starts[entryTerm[e]! + 1]!++;
  for (let t = 0; t < terms.length; t++) starts[t + 1]! += starts[t]!;
  const next = starts.slice(0, terms.length);
  const docs = new Uint32Array(entries);
  const weights = new Uint8Array(entries);
  const avgLength = lengths.reduce((a, b) => a + b, 0) / Math.max(1, lengths.length);
  let entry = 0;
  docEnd.forEach((end, doc) => {
    const norm = K1 * (1 - B + (B * lengths[doc]!) / avgLength);
    for (; entry < end; entry++) {
      const f = entryFreq[entry]!;
      const at = next[entryTerm[entry]!]!++;
      docs[at] = doc;
      weights[at] = Math.max(1, Math.round(((f * (K1 + 1)) / (f + norm) / MAX_WEIGHT) * 255));
    }
  });
  return { terms, starts, docs, weights };
}

function grow(array: Uint32Array, size: number): Uint32Array {
  const grown = new Uint32Array(size);
  grown.set(array);
  return grown;
}

/** The search client's compiled modules, served from the index folder beside the stemmer. */
const CLIENT_MODULES = ["search.js", "card.js", "chunk.js", "query.js", "score.js", "tokenize.js", "highlight.js", "format.js"] as const;

/** The search client's own files, served from the index folder, with the stemmer of the archive's language. */
function clientFiles(language: string): OutputFile[] {
  return [
    ...CLIENT_MODULES.map((file) => ({ path: file, contents: readClientModule("search", file) })),
    { path: "stemmer.js", contents: languageOf(language).clientModule() },
  ];
}

function encodeChunks(postings: Postings): { first: string; last: string; file: OutputFile }[] {
  const order = postings.terms.map((_, id) => id).sort((a, b) => (postings.terms[a]! < postings.terms[b]! ? -1 : 1));
  const chunks: { first: string; last: string; file: OutputFile }[] = [];
  let writer = new ByteWriter();
  // One scratch writer for every term's postings: a writer per term was a 4 KB allocation each.
  const block = new ByteWriter();
  let first = "";
  let count = 0;
  const flush = (last: string) => {
    // Compressed here, since most static hosts serve a binary file as it is: the client
    // inflates it (DecompressionStream). Level 9 and no timestamp, so the bytes are the same every build.
    const bytes = gzipSync(writer.view(), { level: 9 });
    chunks.push({ first, last, file: { path: `c/${hashText(bytes).slice(0, 12)}.bin`, contents: bytes } });
    writer = new ByteWriter();
    count = 0;
  };
  order.forEach((id, i) => {
    const term = postings.terms[id]!;
    if (count === 0) first = term;
    const from = postings.starts[id]!;
    const to = postings.starts[id + 1]!;
    // Postings are written apart first so that their byte length can precede them: the client
    // skips the postings of every term it does not need without decoding them.
    block.reset();
    let previous = 0;
    for (let j = from; j < to; j++) {
      block.varint(postings.docs[j]! - previous);
      block.byte(postings.weights[j]!);
      previous = postings.docs[j]!;
    }
    const bytes = block.view();
    writer.text(term);
    writer.varint(to - from);
    writer.varint(bytes.length);
    writer.raw(bytes);
    count++;
    if (writer.size >= CHUNK_BYTES || i === order.length - 1) flush(term);
  });
  return chunks;
}

/**
 * A bitset per value of each facet. Values that differ only in case or spacing are one value,
 * spelled as first met in archive order, as on the taxonomy's pages.
 */
function encodeFacets(postmortems: readonly RenderedPostmortem[], config: ResolvedConfig) {
  const scale = config.severities.map((level) => level.id);
  const files: OutputFile[] = [];
  const meta: Record<string, Facet> = {};
  for (const [facet, { label, valuesOf }] of Object.entries(facetSpecs(config))) {
    const bits = new Map<string, Uint8Array>();
    const counts = new Map<string, number>();
    const spelling = new Map<string, string>();
    postmortems.forEach((pm, doc) => {
      const own = new Set<string>();
      for (const written of valuesOf(pm)) {
        const key = termKey(written);
        const value = spelling.get(key) ?? spelling.set(key, written).get(key)!;
        if (own.has(value)) continue;
        own.add(value);
        const set = bits.get(value) ?? bits.set(value, new Uint8Array(Math.ceil(postmortems.length / 8))).get(value)!;
        set[doc >> 3]! |= 1 << (doc & 7);
        counts.set(value, (counts.get(value) ?? 0) + 1);
      }
    });
    // Severity in the scale's order, years newest first, the rest most used first.
    const values = [...counts].sort(([a, ca], [b, cb]) =>
      facet === "severity" ? scale.indexOf(a) - scale.indexOf(b) : facet === "year" ? (a < b ? 1 : -1) : cb - ca || (a < b ? -1 : 1),
    );
    const contents = JSON.stringify(Object.fromEntries(values.map(([value]) => [value, Buffer.from(bits.get(value)!).toString("base64")])));
    const file = `facets/${facet}.${hashText(contents).slice(0, 12)}.json`;
    files.push({ path: file, contents });
    meta[facet] = { label, file, values };
  }
  return { files, meta };
}

/**
 * One fragment per postmortem, named by the hash of its contents, outside the index's folder:
 * an edit to one postmortem makes one new fragment, and the others stay where they are (cached
 * by browsers, and taken from the previous build as they were). Two contents whose hashes start
 * alike get different names, deterministically.
 */
function fragmentFiles(postmortems: readonly RenderedPostmortem[], taxonomies: readonly string[]): { files: LazyOutputFile[]; names: readonly string[] } {
  const byName = new Map<string, { pm: RenderedPostmortem; hash: string }>();
  const fragment = (pm: RenderedPostmortem) => fragmentOf(pm, taxonomies);
  const names = postmortems.map((pm) => {
    const contents = fragment(pm);
    for (let salt = 0; ; salt++) {
      const hash = createHash("sha256")
        .update(salt ? `${salt}\0${contents}` : contents)
        .digest("base64url");
      const name = hash.slice(0, FRAGMENT_NAME);
      const taken = byName.get(name);
      if (taken === undefined) byName.set(name, { pm, hash });
      // The same name again: the same fragment (two postmortems alike), or, once in billions, another one.
      if (taken === undefined || fragment(taken.pm) === contents) return name;
    }
  });
  // Keyed by the hash made for the name already (the writer need not hash 40 MB of fragments
  // again), and made again when written rather than kept: 10,000 of them are 60 MB.
  const files = [...byName].map(([name, { pm, hash }]) => ({ path: `search/f/${name}.json`, key: `fragment:${hash}`, render: () => fragment(pm) }));
  return { files, names };
}

/**
 * The fragments' names in pages of NAMES_PER_PAGE, each named by its contents' hash, outside the
 * index's folder like the fragments: an edit to one postmortem changes one page.
 */
function namePages(names: readonly string[]): { files: OutputFile[]; pages: string[] } {
  const files = new Map<string, OutputFile>();
  const pages: string[] = [];
  for (let first = 0; first < names.length; first += NAMES_PER_PAGE) {
    const contents = names.slice(first, first + NAMES_PER_PAGE).join("");
    const page = hashText(contents).slice(0, 12);
    // Two pages alike are one file.
    files.set(page, { path: `search/n/${page}.txt`, contents });
    pages.push(page);
  }
  return { files: [...files.values()], pages };
}

function fragmentOf(pm: RenderedPostmortem, taxonomies: readonly string[]): string {
  const m = pm.meta;
  const services = new Set(m.services);
  const fragment: Fragment = {
    url: postmortemPath(m.slug),
    title: m.title,
    severity: m.severity ?? null,
    services: m.services,
    date: m.date ?? null,
    summary: m.summary ?? null,
    text: pm.text.length > EXCERPT_CHARS ? pm.text.slice(0, EXCERPT_CHARS) : pm.text,
    terms: taxonomyValues(m, taxonomies).filter((value) => !services.has(value) && value !== m.incidentId),
  };
  return JSON.stringify(fragment);
}
