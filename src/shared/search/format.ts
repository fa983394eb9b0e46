// The search index's format, defined once: the index builder writes it and the search client
// reads it. Types and constants only, so that this module costs the browser nothing to import.

/** What the search client fetches first (`search/meta.json`, never cached long). */
export interface SearchMeta {
  readonly version: 5;
  /** Folder of this index's immutable files, relative to `search/`. */
  readonly base: string;
  readonly docs: number;
  /**
   * Pages of fragment names, `search/n/<page>.txt`: page p holds the names of the fragments
   * (`search/f/<name>.json`) of documents p × NAMES_PER_PAGE onwards, FRAGMENT_NAME characters
   * each. Apart from this file, which would otherwise grow by 8 bytes a postmortem (800 KB at
   * 100,000) and be fetched with every search page.
   */
  readonly names: readonly string[];
  /**
   * The term chunks, in term order, as two strings: `chunkTerms`, each chunk's first term,
   * separated by spaces (no term has one), and `chunkFiles`, each chunk's name (its file is
   * `c/<name>.bin`, gzip-compressed), CHUNK_NAME characters each, one after the other. A chunk
   * holds the terms from its first up to the next chunk's first. Read by `chunkRanges`. Not a
   * list of [first, last, file]: at 100,000 postmortems, 570 chunks took 24 KB so (of 32 KB).
   */
  readonly chunkTerms: string;
  readonly chunkFiles: string;
  /** Facets by key: their label, values with their archive-wide counts, and the file of their bitsets. */
  readonly facets: Readonly<Record<string, Facet>>;
  /** The severity scale: id, label, colour. */
  readonly severities: readonly (readonly [string, string, string])[];
  /** The archive's language tag: `stemmer.js` stems its words. */
  readonly language: string;
  /** Whether the last word of a query may match with one typo. */
  readonly typos: boolean;
  /** Whether English stopwords are left out of queries, as they were left out of the index. */
  readonly stopwords: boolean;
}

/** A filter of the search page: severity, service, year, tag, status, or a configured taxonomy. */
export interface Facet {
  readonly label: string;
  readonly file: string;
  readonly values: readonly (readonly [string, number])[];
}

/** Characters of a term chunk's name: the start of its compressed bytes' hash. */
export const CHUNK_NAME = 12;

/** A chunk's first term and file, as `chunkRanges` reads them from `meta.json`. */
export type ChunkRange = readonly [first: string, file: string];

/** One postmortem's fragment (`search/f/<name>.json`): what its result shows. */
export interface Fragment {
  readonly url: string;
  readonly title: string;
  readonly severity: string | null;
  readonly services: readonly string[];
  readonly date: string | null;
  readonly summary: string | null;
  /** The start of its body as plain text, for the excerpt. */
  readonly text: string;
  /** Its values of tags and other taxonomies (`company`, `categories`): shown when they are what matched. */
  readonly terms: readonly string[];
}

/** Characters of a fragment's name: 48 bits of its hash. */
export const FRAGMENT_NAME = 8;

/** Fragment names per page of names: 2 KB a page. */
export const NAMES_PER_PAGE = 256;
