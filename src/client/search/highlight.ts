// Runs in the browser (served beside the search client as highlight.js) and in Node's tests:
// finds the words of a text that a query matched, and the excerpt of a result around them.
import type { Matched } from "./score.js";
import { fold, hasCjk, isIdentifier, scanWords, simpleTerm, type WordOptions } from "./tokenize.js";

/** A stretch of text a query matched: where it starts and ends, and which word of the query it matched. */
export interface Mark {
  readonly start: number;
  readonly end: number;
  readonly word: number;
}

/** A piece of an excerpt, marked or not. */
export interface Piece {
  readonly text: string;
  readonly marked: boolean;
}

const JOINED_PARTS = /[^_.&-]+/g;
const CJK_CHAR = /[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Hangul}]/u;

/**
 * Every whole word of `text` that the query matched, by the term the index gave it (so
 * `power` is marked for `powers`, `truncate` for `truncation`), by the prefix being typed, or
 * by a typo: never a piece of a word. An identifier is marked whole when it matched whole,
 * else the parts that matched (`east` in `us-east-1`); Chinese, Japanese and Korean text by the
 * character pairs that matched.
 */
export function findMarks(text: string, matched: Matched, options: WordOptions): Mark[] {
  const marks: Mark[] = [];
  const terms = new Map<string, string | undefined>();
  const termOf = (word: string) => {
    let term = terms.get(word);
    if (term === undefined && !terms.has(word)) terms.set(word, (term = simpleTerm(word, options.stem, options.stopwords)));
    return term;
  };
  const which = (term: string | undefined, word: string): number => {
    const byTerm = term === undefined ? undefined : matched.terms.get(term);
    if (byTerm !== undefined) return byTerm;
    for (const [prefix, index] of matched.prefixes) if (word.startsWith(prefix)) return index;
    return -1;
  };
  const simple = (start: number, written: string) => {
    const word = fold(written);
    const index = which(termOf(word), word);
    if (index >= 0) marks.push({ start, end: start + written.length, word: index });
  };
  scanWords(text, (start, end, written) => {
    const word = fold(written);
    if (hasCjk(word)) cjkMarks(written, start, matched, marks, simple);
    else if (!isIdentifier(word)) simple(start, written);
    else {
      const index = which(word, word);
      if (index >= 0) marks.push({ start, end, word: index });
      else for (const part of written.matchAll(JOINED_PARTS)) simple(start + part.index, part[0]);
    }
  });
  return marks;
}

/** Marks the characters of a Chinese, Japanese or Korean word covered by a matched pair; its other runs as words. */
function cjkMarks(written: string, start: number, matched: Matched, marks: Mark[], simple: (start: number, written: string) => void): void {
  const letters: { char: string; start: number; end: number; cjk: boolean }[] = [];
  let at = start;
  for (const char of written) {
    letters.push({ char, start: at, end: at + char.length, cjk: CJK_CHAR.test(char) });
    at += char.length;
  }
  // Where the current run of other letters (Latin, digits) started.
  let other: number | undefined;
  for (const [i, letter] of letters.entries()) {
    if (!letter.cjk) {
      other ??= letter.start;
      continue;
    }
    if (other !== undefined) simple(other, written.slice(other - start, letter.start - start));
    other = undefined;
    const next = letters[i + 1];
    const pair = next?.cjk ? matched.terms.get(fold(letter.char + next.char)) : undefined;
    if (next && pair !== undefined) addPair(marks, { start: letter.start, end: next.end, word: pair });
    else {
      const single = fold(letter.char);
      const prefix = matched.prefixes.find(([p]) => p === single);
      if (prefix && !marks.some((m) => m.end > letter.start)) marks.push({ start: letter.start, end: letter.end, word: prefix[1] });
    }
  }
  if (other !== undefined) simple(other, written.slice(other - start));
}

/** Adds a matched pair's mark; one that overlaps the mark before it (`東京` then `京駅`) makes one stretch with it. */
function addPair(marks: Mark[], mark: Mark): void {
  const last = marks.at(-1);
  if (last && mark.start < last.end) marks.splice(-1, 1, { start: last.start, end: Math.max(last.end, mark.end), word: last.word });
  else marks.push(mark);
}

/**
 * About `size` characters of `text` around its densest stretch of marks: the window that holds
 * the most different words of the query, then the most marks, centred on them and cut at
 * spaces. Without marks, the start of the text.
 */
export function excerpt(text: string, marks: readonly Mark[], size = 220): Piece[] {
  const densest = densestWindow(marks, size * 0.8);
  let start = 0;
  if (densest) {
    const { first, last } = densest;
    const span = last.end - first.start;
    start = Math.max(0, Math.min(first.start - Math.floor((size - span) / 2), text.length - size));
    start = Math.min(start, first.start);
    // Back to the start of a word, unless that is far.
    const space = text.lastIndexOf(" ", start);
    if (start > 0 && space >= 0 && start - space < 20) start = space + 1;
    else if (start > 0) start = Math.min(first.start, text.indexOf(" ", start) + 1 || first.start);
  }
  let end = Math.min(text.length, start + size);
  if (end < text.length) {
    const space = text.lastIndexOf(" ", end);
    if (space > start) end = Math.max(space, densest ? densest.last.end : 0);
  }
  const pieces: Piece[] = [];
  if (start > 0) pieces.push({ text: "…", marked: false });
  let at = start;
  for (const mark of marks) {
    if (mark.start < start || mark.end > end || mark.start < at) continue;
    if (mark.start > at) pieces.push({ text: text.slice(at, mark.start), marked: false });
    pieces.push({ text: text.slice(mark.start, mark.end), marked: true });
    at = mark.end;
  }
  if (end > at) pieces.push({ text: text.slice(at, end), marked: false });
  if (end < text.length) pieces.push({ text: "…", marked: false });
  return pieces;
}

/**
 * The first and last marks of the run of marks within `width` characters that holds the most
 * different words of the query, then the most marks; the first such run. Undefined without marks.
 */
function densestWindow(marks: readonly Mark[], width: number): { first: Mark; last: Mark } | undefined {
  let densest: { first: Mark; last: Mark } | undefined;
  let bestScore = -1;
  // The window is marks i to j; j only moves on as i does.
  let j = 0;
  let last: Mark | undefined;
  for (const [i, first] of marks.entries()) {
    if (last === undefined || j < i) [j, last] = [i, first];
    for (let next = marks[j + 1]; next !== undefined && next.end - first.start <= width; next = marks[j + 1]) [j, last] = [j + 1, next];
    const score = new Set(marks.slice(i, j + 1).map((m) => m.word)).size * 1000 + (j - i + 1);
    if (score > bestScore) [bestScore, densest] = [score, { first, last }];
  }
  return densest;
}
