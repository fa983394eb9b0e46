import { stemmer } from "stemmer";
import type { PostmortemMeta } from "../types.js";
import { STOPWORDS, termOf, words } from "./client/tokenize.js";

/** How much a word counts in each field of a postmortem. */
export const FIELD_WEIGHTS = { title: 3, summary: 2, terms: 2, body: 1 } as const;

/**
 * A postmortem's index terms with their field-weighted counts, as `term count term count …`
 * (terms are letters and digits only), and its length in words. Made where the postmortem is
 * processed (a worker thread) and cached with it, so the index builder only adds them up.
 */
export interface DocTerms {
  readonly length: number;
  readonly counts: string;
}

// Stems of words seen in this thread: a few tens of thousands of distinct words in an archive.
const stems = new Map<string, string>();
const MAX_STEMS = 200_000;

/** Counts a postmortem's terms: title, summary, services, tags and incident id, and body text. */
export function docTerms(meta: Pick<PostmortemMeta, "title" | "summary" | "services" | "tags" | "incidentId">, text: string): DocTerms {
  const counts = new Map<string, number>();
  let length = 0;
  const add = (field: string, weight: number) => {
    for (const word of words(field)) {
      length++;
      if (STOPWORDS.has(word)) continue;
      let term = stems.get(word);
      if (term === undefined) {
        if (stems.size >= MAX_STEMS) stems.clear();
        stems.set(word, (term = termOf(word, stemmer)));
      }
      counts.set(term, (counts.get(term) ?? 0) + weight);
    }
  };
  add(meta.title, FIELD_WEIGHTS.title);
  add(meta.summary ?? "", FIELD_WEIGHTS.summary);
  add([...meta.services, ...meta.tags, meta.incidentId ?? ""].join(" "), FIELD_WEIGHTS.terms);
  add(text, FIELD_WEIGHTS.body);
  let out = "";
  for (const [term, count] of counts) out += out ? ` ${term} ${count}` : `${term} ${count}`;
  return { length, counts: out };
}
