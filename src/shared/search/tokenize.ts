// Runs in the browser (the search client) and in Node (the index builder): both must cut text
// into the same words and terms, so this module imports nothing.

/** English words too common to help a search; they are not indexed (other languages keep every word). */
export const STOPWORDS: ReadonlySet<string> = new Set(
  (
    "a an and are as at be been but by for from had has have he her his i if in into is it its of on or our so " +
    "than that the their them then there these they this those to was we were what when which while who will with " +
    "would you your"
  ).split(" "),
);

/**
 * A word as written: letters, digits and marks of any script, and identifiers joined by `_`,
 * `-`, `.` or `&` (`database_url`, `us-east-1`, `v1.2.3`, `at&t`). A joiner at either end is
 * punctuation, not part of the word.
 */
const WORD = /[\p{L}\p{N}\p{M}]+(?:[_.&-][\p{L}\p{N}\p{M}]+)*/gu;
const JOINER = /[_.&-]/;
const DIGIT = /\d/;
/** Any UTF-16 code unit beyond ASCII: a text without one is ASCII. */
const NON_ASCII = /[\u0080-\uffff]/;
/** Chinese, Japanese and Korean letters: written without spaces between words, indexed as character pairs. */
const CJK = /[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Hangul}]/u;
const CJK_RUNS = /[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Hangul}]+|[^\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Hangul}]+/gu;
const MIN_LENGTH = 2;
const MAX_LENGTH = 40;

/** Calls `visit` with each word of `text`: where it starts and ends in `text`, and the word as written. */
export function scanWords(text: string, visit: (start: number, end: number, word: string) => void): void {
  for (const match of text.matchAll(WORD)) visit(match.index, match.index + match[0].length, match[0]);
}

/** Anything that is not part of a word or a joiner: where the fast path below cuts text. */
const SEPARATORS = /[^\p{L}\p{N}\p{M}_.&-]+/u;
const isJoiner = (code: number) => code === 0x5f || code === 0x2e || code === 0x26 || code === 0x2d;

/**
 * Calls `visit` with each word of `text`, folded: the same words as `scanWords` then `fold`,
 * without their places, about twice as fast. The index builder reads every postmortem's whole
 * text this way: ASCII text is lowercased once, cut with one native split, and only pieces with
 * a joiner inside go through the word pattern.
 */
export function forEachWord(text: string, visit: (word: string) => void): void {
  const ascii = !NON_ASCII.test(text);
  for (let piece of (ascii ? text.toLowerCase() : text).split(SEPARATORS)) {
    let [start, end] = [0, piece.length];
    while (start < end && isJoiner(piece.charCodeAt(start))) start++;
    while (end > start && isJoiner(piece.charCodeAt(end - 1))) end--;
    if (start === end) continue;
    if (start > 0 || end < piece.length) piece = piece.slice(start, end);
    if (!JOINER.test(piece)) visit(ascii ? piece : fold(piece));
    else for (const match of piece.matchAll(WORD)) visit(ascii ? match[0] : fold(match[0]));
  }
}

/**
 * A word folded for matching: lowercase, without diacritics (`Café` → `cafe`). Chinese,
 * Japanese and Korean keep their marks (a dakuten changes the word) and only lose width.
 */
export function fold(word: string): string {
  if (!NON_ASCII.test(word)) return word.toLowerCase();
  if (CJK.test(word)) return word.normalize("NFKC").toLowerCase();
  return word
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase();
}

/** Whether a folded word is an identifier: joined parts, indexed whole and by each part. */
export function isIdentifier(word: string): boolean {
  return JOINER.test(word);
}

/** Whether a folded word has Chinese, Japanese or Korean letters. */
export function hasCjk(word: string): boolean {
  return CJK.test(word);
}

/** The runs of a folded word, each with whether it is Chinese, Japanese or Korean. */
export function cjkRuns(word: string): { run: string; cjk: boolean }[] {
  return Array.from(word.matchAll(CJK_RUNS), (m) => ({ run: m[0], cjk: CJK.test(m[0]) }));
}

/** The character pairs of a Chinese, Japanese or Korean run: `東京駅` → `東京 京駅`; a single character is its own term. */
export function bigrams(run: string): string[] {
  const chars = Array.from(run);
  if (chars.length === 1) return chars;
  const out: string[] = [];
  let previous: string | undefined;
  for (const char of chars) {
    if (previous !== undefined) out.push(previous + char);
    previous = char;
  }
  return out;
}

/**
 * The term of a simple word (no joiner): its stem; a word with digits (`504`, `5xx`, `p99`,
 * `ipv6`) as it is. Undefined for a stopword (when `stopwords` is given) or a word too short or
 * too long to help.
 */
export function simpleTerm(word: string, stem: (word: string) => string, stopwords: ReadonlySet<string> | undefined): string | undefined {
  if (word.length < MIN_LENGTH || word.length > MAX_LENGTH) return undefined;
  if (DIGIT.test(word)) return word;
  if (stopwords?.has(word)) return undefined;
  return stem(word);
}

/**
 * Every index term of a folded word, pushed to `out`: an identifier whole and each of its
 * parts (`database_url` → `database_url databas url`, a stopword part left out but the whole
 * kept: `at&t`); Chinese, Japanese and Korean runs as character pairs; any other word as its
 * simple term.
 */
export function wordTerms(word: string, stem: (word: string) => string, stopwords: ReadonlySet<string> | undefined, out: string[]): void {
  if (hasCjk(word)) {
    for (const { run, cjk } of cjkRuns(word)) {
      if (cjk) out.push(...bigrams(run));
      else for (const part of run.split(JOINER)) pushTerm(simpleTerm(part, stem, stopwords), out);
    }
    return;
  }
  if (isIdentifier(word)) {
    if (word.length >= MIN_LENGTH && word.length <= MAX_LENGTH) out.push(word);
    for (const part of word.split(JOINER)) pushTerm(simpleTerm(part, stem, stopwords), out);
    return;
  }
  pushTerm(simpleTerm(word, stem, stopwords), out);
}

function pushTerm(term: string | undefined, out: string[]): void {
  if (term !== undefined) out.push(term);
}

/** How words become terms in an archive's language: its stemmer, and the stopwords left out (English only). */
export interface WordOptions {
  readonly stem: (word: string) => string;
  readonly stopwords: ReadonlySet<string> | undefined;
}
