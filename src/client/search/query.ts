// Runs in the browser (served beside the search client as query.js) and in Node's tests: a
// query cut into words as the index cut its text, each with the chunks that hold it.
import { chunksFor, type Chunk } from "./chunk.js";
import type { ChunkRange } from "./format.js";
import { bigrams, cjkRuns, fold, hasCjk, isIdentifier, scanWords, simpleTerm, type WordOptions } from "./tokenize.js";

/**
 * One word of a query: the term it must match, the prefix it may complete (the word being
 * typed), whether it may match with one typo (the last word), the parts an identifier falls
 * back to when no document has it whole, and the chunks that hold them.
 */
export interface Plan {
  readonly term: string;
  readonly prefix: string | undefined;
  /** The terms of the words one edit away from this one (the last word only), sorted. */
  readonly typos: readonly string[];
  /** An identifier's parts, planned when first asked for. */
  readonly parts: () => readonly Plan[];
  readonly chunks: Promise<Chunk[]>;
}

/** How a query is read: the stemmer and stopwords of the index's language, and whether typos are allowed. */
export interface QueryOptions extends WordOptions {
  readonly typos: boolean;
}

/** Typos are allowed in words of this many letters or more, as search engines do (Meilisearch, Typesense). */
const TYPO_MIN_LENGTH = 5;

/**
 * Plans a query: one plan per word (Chinese, Japanese and Korean: per pair of characters), as
 * the index cut it. While the last word is still being typed (no space after it), it is also a
 * prefix; the last word of 5 letters or more may match with a typo. Loading each plan's chunks
 * starts at once, all together.
 */
export function planQuery(query: string, chunks: readonly ChunkRange[], options: QueryOptions, load: (file: string) => Promise<Chunk>): Plan[] {
  const typing = !/\s$/.test(query);
  const found: { term: string; prefix: string; typo: boolean; parts: string[] }[] = [];
  const simple = (word: string) => {
    const term = simpleTerm(word, options.stem, options.stopwords);
    if (term !== undefined) found.push({ term, prefix: word, typo: !/\d/.test(word), parts: [] });
  };
  scanWords(query, (_start, _end, written) => {
    const word = fold(written);
    if (hasCjk(word)) {
      for (const { run, cjk } of cjkRuns(word)) {
        if (!cjk) simple(run);
        else for (const pair of bigrams(run)) found.push({ term: pair, prefix: pair, typo: false, parts: [] });
      }
    } else if (isIdentifier(word)) {
      const parts = word.split(/[_.&-]/).map((part) => simpleTerm(part, options.stem, options.stopwords));
      found.push({ term: word, prefix: word, typo: false, parts: parts.filter((t): t is string => t !== undefined) });
    } else simple(word);
  });
  const plan = (term: string, prefix: string | undefined, typos: readonly string[], partTerms: readonly string[]): Plan => {
    let parts: Plan[] | undefined;
    return {
      term,
      prefix,
      typos,
      parts: () => (parts ??= partTerms.length > 1 ? partTerms.map((part) => plan(part, undefined, [], [])) : []),
      chunks: Promise.all(chunksFor(chunks, term, prefix).map(load)),
    };
  };
  return found.map((word, index) => {
    const last = index === found.length - 1;
    // A single Chinese, Japanese or Korean character is found as the start of a pair, typed or not.
    const prefix = (typing && last) || Array.from(word.term).length === 1 ? word.prefix : undefined;
    const typos = last && options.typos && word.typo && word.prefix.length >= TYPO_MIN_LENGTH ? typoTerms(word.prefix, word.term, options) : [];
    return plan(word.term, prefix, typos, word.parts);
  });
}

/**
 * The terms of every word one edit (a letter deleted, added, changed, or two swapped) away
 * from `word`, stemmed as the index stems: `replicaton` → `replic` (of `replication`). About
 * 50 words a letter, stemmed in well under a millisecond.
 */
export function typoTerms(word: string, term: string, options: QueryOptions): string[] {
  const letters = new Set(Array.from(`abcdefghijklmnopqrstuvwxyz${word}`));
  const out = new Set<string>();
  const add = (candidate: string) => {
    const t = simpleTerm(candidate, options.stem, options.stopwords);
    if (t !== undefined && t !== term && t.length >= 3 && !t.startsWith(word)) out.add(t);
  };
  for (let i = 0; i <= word.length; i++) {
    const [head, tail] = [word.slice(0, i), word.slice(i)];
    if (tail) add(head + tail.slice(1));
    if (tail.length > 1) add(head + tail.charAt(1) + tail.charAt(0) + tail.slice(2));
    for (const letter of letters) {
      add(head + letter + tail);
      if (tail && letter !== tail[0]) add(head + letter + tail.slice(1));
    }
  }
  return [...out].sort();
}
