// Runs in the browser (the search client) and in Node (the index builder): both must cut text
// into the same words, so this module imports nothing.

/** Words too common to help a search; they are not indexed. */
export const STOPWORDS: ReadonlySet<string> = new Set(
  ("a an and are as at be been but by for from had has have he her his i if in into is it its of on or our so " +
    "than that the their them then there these they this those to was we were what when which while who will with " +
    "would you your").split(" "),
);

/**
 * Cuts text into lowercase words without diacritics (`Café` → `cafe`): letters and digits of
 * any script; a word of one character or of more than 40 is dropped.
 */
export function words(text: string): string[] {
  const out: string[] = [];
  const normalized = text.normalize("NFKD").replace(/\p{M}+/gu, "").toLowerCase();
  for (const word of normalized.split(/[^\p{L}\p{N}]+/u)) {
    if (word.length > 1 && word.length <= 40) out.push(word);
  }
  return out;
}

/** The index term of a word: its Porter stem; numbers (`504`, `2024`) stay as they are. */
export function termOf(word: string, stem: (word: string) => string): string {
  return /^\d/.test(word) ? word : stem(word);
}
