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
    if (hasCjk(word)) return cjkMarks(written, start, matched, marks, simple);
    if (isIdentifier(word)) {
      const index = which(word, word);
      if (index >= 0) return void marks.push({ start, end, word: index });
      for (const part of written.matchAll(JOINED_PARTS)) simple(start + part.index!, part[0]);
      return;
    }
    simple(start, written);
  });
  return marks;
}

/** Marks the characters of a Chinese, Japanese or Korean word covered by a matched pair; its other runs as words. */
function cjkMarks(written: string, start: number, matched: Matched, marks: Mark[], simple: (start: number, written: string) => void): void {
  const chars = Array.from(written);
  const offsets: number[] = [];
  let at = start;
  for (const char of chars) {
    offsets.push(at);
    at += char.length;
  }
  offsets.push(at);
  let other = -1;
  for (let i = 0; i <= chars.length; i++) {
    const cjk = i < chars.length && CJK_CHAR.test(chars[i]!);
    if (!cjk && i < chars.length) {
      if (other < 0) other = i;
      continue;
    }
    if (other >= 0) simple(offsets[other]!, chars.slice(other, i).join(""));
    other = -1;
    if (!cjk) continue;
    const single = fold(chars[i]!);
    const next = i + 1 < chars.length && CJK_CHAR.test(chars[i + 1]!) ? fold(chars[i]! + chars[i + 1]!) : undefined;
    const index = next !== undefined ? matched.terms.get(next) : undefined;
    if (index !== undefined) marks.push({ start: offsets[i]!, end: offsets[i + 2]!, word: index });
    else {
      const prefix = matched.prefixes.find(([p]) => p === single);
      if (prefix && !marks.some((m) => m.end > offsets[i]!)) marks.push({ start: offsets[i]!, end: offsets[i + 1]!, word: prefix[1] });
    }
  }
  // Overlapping pairs (`東京` and `京駅`) make one stretch.
  for (let i = marks.length - 1; i > 0; i--) {
    const [a, b] = [marks[i - 1]!, marks[i]!];
    if (b.start < a.end && b.start >= start) marks.splice(i - 1, 2, { start: a.start, end: Math.max(a.end, b.end), word: a.word });
  }
}

/**
 * About `size` characters of `text` around its densest stretch of marks: the window that holds
 * the most different words of the query, then the most marks, centred on them and cut at
 * spaces. Without marks, the start of the text.
 */
export function excerpt(text: string, marks: readonly Mark[], size = 220): Piece[] {
  let [from, to] = [0, -1];
  let bestScore = -1;
  for (let i = 0, j = 0; i < marks.length; i++) {
    j = Math.max(j, i);
    while (j + 1 < marks.length && marks[j + 1]!.end - marks[i]!.start <= size * 0.8) j++;
    const score = new Set(marks.slice(i, j + 1).map((m) => m.word)).size * 1000 + (j - i + 1);
    if (score > bestScore) [bestScore, from, to] = [score, i, j];
  }
  let start = 0;
  if (to >= 0) {
    const span = marks[to]!.end - marks[from]!.start;
    start = Math.max(0, Math.min(marks[from]!.start - Math.floor((size - span) / 2), text.length - size));
    start = Math.min(start, marks[from]!.start);
    // Back to the start of a word, unless that is far.
    const space = text.lastIndexOf(" ", start);
    if (start > 0 && space >= 0 && start - space < 20) start = space + 1;
    else if (start > 0) start = Math.min(marks[from]!.start, text.indexOf(" ", start) + 1 || marks[from]!.start);
  }
  let end = Math.min(text.length, start + size);
  if (end < text.length) {
    const space = text.lastIndexOf(" ", end);
    if (space > start) end = Math.max(space, to >= 0 ? marks[to]!.end : 0);
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
