import type { PostmortemMeta } from "../types.js";
import { getOrAdd } from "../util/lookup.js";
import { termsOf } from "../util/terms.js";
import { forEachWord, wordTerms } from "../shared/search/tokenize.js";
import { languageOf, type Language } from "./languages.js";

/** How much a word counts in each field of a postmortem. */
export const FIELD_WEIGHTS = { title: 3, summary: 2, terms: 2, body: 1 } as const;

/**
 * A postmortem's index terms with their field-weighted counts, as `term count term count …`
 * (terms have no spaces), and its length in words. Made where the postmortem is processed (a
 * worker thread) and cached with it, so the index builder only adds them up.
 */
export interface DocTerms {
  readonly length: number;
  readonly counts: string;
}

/** What the index reads of a postmortem's metadata. */
export type IndexedMeta = Pick<PostmortemMeta, "title" | "summary" | "services" | "tags" | "incidentId" | "data">;

/** What the index needs of the config: the archive's language and the taxonomies whose values are searchable. */
export interface IndexOptions {
  readonly language: string;
  readonly taxonomies: readonly string[];
}

// Terms of words seen in this thread, per language: a few tens of thousands of distinct words in an archive.
const cache = new Map<string, { language: Language; terms: Map<string, readonly string[]> }>();
const MAX_WORDS = 200_000;

/**
 * Counts a postmortem's terms: title, summary, services, tags, incident id and the values of
 * every other configured taxonomy (`company`, `categories`), and the body text.
 */
export function docTerms(meta: IndexedMeta, text: string, options: IndexOptions): DocTerms {
  const { language, terms: termsOfWord } = getOrAdd(cache, options.language, () => ({
    language: languageOf(options.language),
    terms: new Map<string, readonly string[]>(),
  }));
  const counts = new Map<string, number>();
  let length = 0;
  const scratch: string[] = [];
  const add = (field: string, weight: number) => {
    forEachWord(field, (word) => {
      length++;
      let terms = termsOfWord.get(word);
      if (terms === undefined) {
        if (termsOfWord.size >= MAX_WORDS) termsOfWord.clear();
        scratch.length = 0;
        wordTerms(word, language.stem, language.stopwords, scratch);
        termsOfWord.set(word, (terms = scratch.slice()));
      }
      for (const term of terms) counts.set(term, (counts.get(term) ?? 0) + weight);
    });
  };
  add(meta.title, FIELD_WEIGHTS.title);
  add(meta.summary ?? "", FIELD_WEIGHTS.summary);
  add(taxonomyValues(meta, options.taxonomies).join(" "), FIELD_WEIGHTS.terms);
  add(text, FIELD_WEIGHTS.body);
  let out = "";
  for (const [term, count] of counts) out += out ? ` ${term} ${count}` : `${term} ${count}`;
  return { length, counts: out };
}

/** Services, tags, the incident id and the values of every other configured taxonomy, each once. */
export function taxonomyValues(meta: IndexedMeta, taxonomies: readonly string[]): string[] {
  const values = new Set([...meta.services, ...meta.tags, meta.incidentId ?? ""]);
  for (const key of taxonomies) if (key !== "severity") for (const value of termsOf(meta, key)) values.add(value);
  values.delete("");
  return [...values];
}
