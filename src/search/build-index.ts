import type { ResolvedConfig } from "../config.js";
import { termKey, termsOf } from "../util/terms.js";
import type { LazyOutputFile, Output, OutputFile, RenderedPostmortem } from "../types.js";
import { hashText } from "../util/hash.js";
import { getOrAdd } from "../util/lookup.js";
import { readClientModule } from "../util/client-modules.js";
import { FRAGMENT_NAME, NAMES_PER_PAGE, type Facet, type SearchMeta } from "../shared/search/format.js";
import { languageOf } from "./languages.js";
import { collectPostings, compressChunks, encodeChunks, pastTheEnd, type ChunkFile } from "./postings.js";
import { fragmentHash, fragmentOf } from "./fragment.js";

export { FRAGMENT_NAME, type SearchMeta } from "../shared/search/format.js";

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
export function buildSearchIndex(postmortems: readonly RenderedPostmortem[], config: ResolvedConfig): SearchIndex {
  return indexOf(postmortems, config, compressChunks(encodeChunks(collectPostings(postmortems, config))));
}

/** A search index: its files, and its meta (also one of its files) for the search page. */
export interface SearchIndex {
  readonly files: Output[];
  readonly meta: SearchMeta;
}

/** The index of its term chunks' files, and of the postmortems' facets and fragments. */
function indexOf(postmortems: readonly RenderedPostmortem[], config: ResolvedConfig, chunks: readonly ChunkFile[]): SearchIndex {
  const severities = config.severities.map((level) => [level.id, level.label, level.color] as const);
  const files: Output[] = [];
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
    version: 5,
    base: version,
    docs: postmortems.length,
    names: names.pages,
    chunkTerms: chunks.map((c) => c.first).join(" "),
    chunkFiles: chunks.map((c) => c.name).join(""),
    facets: facets.meta,
    severities,
    language: config.language,
    typos: config.search.typos,
    stopwords: languageOf(config.language).stopwords !== undefined,
  };
  files.push({ path: "search/meta.json", contents: JSON.stringify(meta) });
  return { files, meta };
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

/**
 * A bitset per value of each facet. Values that differ only in case or spacing are one value,
 * spelled as first met in archive order, as on the taxonomy's pages.
 */
function encodeFacets(postmortems: readonly RenderedPostmortem[], config: ResolvedConfig) {
  const scale = config.severities.map((level) => level.id);
  const files: OutputFile[] = [];
  const meta: Record<string, Facet> = {};
  for (const [facet, { label, valuesOf }] of Object.entries(facetSpecs(config))) {
    // Each value's documents as a bitset (bit `doc & 7` of byte `doc >> 3`), and how many there are.
    const byValue = new Map<string, { bits: Uint8Array; count: number }>();
    const spelling = new Map<string, string>();
    postmortems.forEach((pm, doc) => {
      const own = new Set<string>();
      for (const written of valuesOf(pm)) {
        const value = getOrAdd(spelling, termKey(written), () => written);
        if (own.has(value)) continue;
        own.add(value);
        const docs = getOrAdd(byValue, value, () => ({ bits: new Uint8Array(Math.ceil(postmortems.length / 8)), count: 0 }));
        const byte = doc >> 3;
        docs.bits[byte] = (docs.bits[byte] ?? pastTheEnd(byte)) | (1 << (doc & 7));
        docs.count++;
      }
    });
    // Severity in the scale's order, years newest first, the rest most used first.
    const values = [...byValue].sort(([a, { count: ca }], [b, { count: cb }]) =>
      facet === "severity" ? scale.indexOf(a) - scale.indexOf(b) : facet === "year" ? (a < b ? 1 : -1) : cb - ca || (a < b ? -1 : 1),
    );
    const contents = JSON.stringify(Object.fromEntries(values.map(([value, { bits }]) => [value, Buffer.from(bits).toString("base64")])));
    const file = `facets/${facet}.${hashText(contents).slice(0, 12)}.json`;
    files.push({ path: file, contents });
    meta[facet] = { label, file, values: values.map(([value, { count }]) => [value, count] as const) };
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
  // Made from the body, which is read for that: only for a fragment written now, or two whose names collide.
  const fragment = (pm: RenderedPostmortem) => fragmentOf(pm.meta, pm.body().text, taxonomies);
  const names = postmortems.map((pm) => {
    for (let salt = 0; ; salt++) {
      // Hashed when the postmortem was processed; salted again only here.
      const hash = salt === 0 ? (pm.fragment ?? fragmentHash(fragment(pm))) : fragmentHash(fragment(pm), salt);
      const name = hash.slice(0, FRAGMENT_NAME);
      const taken = byName.get(name);
      if (taken === undefined) byName.set(name, { pm, hash });
      // The same name again: the same fragment (two postmortems alike, the same hash), or, once in billions, another one.
      if (taken === undefined || taken.hash === hash) return name;
    }
  });
  // Keyed by the hash made for the name already (the writer need not hash 40 MB of fragments
  // again), and made again when written rather than kept: 10,000 of them are 60 MB.
  const files = [...byName].map(([name, { pm, hash }]) => ({
    path: `search/f/${name}.json`,
    key: `fragment:${hash}`,
    render: () => fragment(pm),
    bodyOf: pm.source.relPath,
  }));
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
