import type { Image, InlineCode, PhrasingContent, Strong, Text } from "mdast";
import type { Point } from "unist";

/**
 * The inline half of the common subset (see `blocks.ts`): text, code spans, `**strong**` and
 * images with a plain alt and a plain destination. Anything else (links, `*`, `_` that could
 * open, escapes, character references, HTML, autolinks, GFM's literal links and
 * strikethrough) makes `parseInline` give up, and the body goes to micromark whole.
 */

/** One line of inline content: its text and where it starts in the document. */
export interface Line {
  readonly text: string;
  readonly line: number;
  readonly column: number;
  readonly offset: number;
}

/** Where each character of joined lines is in the document. */
class Places {
  readonly #starts: number[] = [];
  constructor(readonly lines: readonly Line[]) {
    let start = 0;
    for (const line of lines) {
      this.#starts.push(start);
      start += line.text.length + 1;
    }
  }
  point(index: number): Point {
    // The last line that starts at or before `index`.
    let low = 0;
    let high = this.#starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((this.#starts[middle] as number) <= index) low = middle;
      else high = middle - 1;
    }
    const k = low;
    const line = this.lines[k] as Line;
    const delta = index - (this.#starts[k] as number);
    return { line: line.line, column: line.column + delta, offset: line.offset + delta };
  }
}

type Item =
  | { kind: "text"; start: number; end: number }
  | { kind: "code"; start: number; end: number; value: string }
  | { kind: "image"; start: number; end: number; alt: string; url: string }
  | { kind: "delim"; start: number; end: number; open: boolean; close: boolean; pair: number };

const GIVE_UP = /[[\]<\\~@]/;
const LITERAL_LINK = /www|http/i;
const ALT = /^[^[\]\\`*_&<!~@\n|]*$/;
const URL = /^[^\s()<>\\&[\]]+$/;
const PUNCTUATION = /[\p{P}\p{S}]/u;
const WHITESPACE = /\s/;

type Kind = 0 | 1 | 2; // whitespace, punctuation, other
function kindOf(char: string | undefined): Kind {
  if (char === undefined || WHITESPACE.test(char)) return 0;
  return PUNCTUATION.test(char) ? 1 : 2;
}

/** The phrasing content of `lines` (joined with line endings), or `undefined` when it is beyond the subset. */
export function parseInline(lines: readonly Line[]): PhrasingContent[] | undefined {
  const text = lines.map((line) => line.text).join("\n");
  const items = tokenize(text);
  if (!items || !pairDelimiters(items)) return undefined;
  const places = new Places(lines);
  const nodes = build(items, 0, items.length, text, places);
  return nodes;
}

function tokenize(text: string): Item[] | undefined {
  const items: Item[] = [];
  let plain = 0; // where the current run of text started
  const flush = (end: number): boolean => {
    if (end > plain) {
      if (LITERAL_LINK.test(text.slice(plain, end))) return false;
      items.push({ kind: "text", start: plain, end });
    }
    return true;
  };
  for (let i = 0; i < text.length;) {
    const char = text[i] as string;
    if (char === "`") {
      let n = 1;
      while (text[i + n] === "`") n++;
      const close = closingRun(text, i + n, n);
      if (close < 0) return undefined;
      let value = text.slice(i + n, close);
      if (value.includes("\n")) return undefined;
      // One space each side is padding, unless the span is only spaces.
      if (value.startsWith(" ") && value.endsWith(" ") && /[^ ]/.test(value)) value = value.slice(1, -1);
      if (!flush(i)) return undefined;
      items.push({ kind: "code", start: i, end: close + n, value });
      i = plain = close + n;
    } else if (char === "!" && text[i + 1] === "[") {
      const altEnd = text.indexOf("](", i + 2);
      const urlEnd = altEnd < 0 ? -1 : text.indexOf(")", altEnd + 2);
      if (urlEnd < 0) return undefined;
      const alt = text.slice(i + 2, altEnd);
      const url = text.slice(altEnd + 2, urlEnd);
      if (!ALT.test(alt) || LITERAL_LINK.test(alt) || !URL.test(url)) return undefined;
      if (!flush(i)) return undefined;
      items.push({ kind: "image", start: i, end: urlEnd + 1, alt, url });
      i = plain = urlEnd + 1;
    } else if (char === "*" || char === "_") {
      let n = 1;
      while (text[i + n] === char) n++;
      const before = kindOf(text[i - 1]);
      const after = kindOf(text[i + n]);
      const left = after !== 0 && (after !== 1 || before !== 2);
      const right = before !== 0 && (before !== 1 || after !== 2);
      if (char === "_") {
        // Only an underscore run that can neither open nor close (`snake_case`) is in the subset.
        if (left && (!right || before === 1)) return undefined;
        if (right && (!left || after === 1)) return undefined;
        i += n;
        continue;
      }
      if (n !== 2) return undefined;
      if (!flush(i)) return undefined;
      items.push({ kind: "delim", start: i, end: i + 2, open: left, close: right, pair: -1 });
      i = plain = i + 2;
    } else if (char === "&") {
      if (kindOf(text[i + 1]) !== 0) return undefined;
      i++;
    } else if (GIVE_UP.test(char)) {
      return undefined;
    } else {
      i++;
    }
  }
  return flush(text.length) ? items : undefined;
}

/** The start of the next run of exactly `n` backticks at or after `from`, or -1. */
function closingRun(text: string, from: number, n: number): number {
  for (let i = text.indexOf("`", from); i >= 0; i = text.indexOf("`", i)) {
    let m = 1;
    while (text[i + m] === "`") m++;
    if (m === n) return i;
    i += m;
  }
  return -1;
}

/** Strong nested deeper than this is left to remark (and to the check for trees too deep to render). */
const MAX_OPEN = 32;

/**
 * CommonMark's emphasis, for runs of exactly two `*` only: every run is the same kind and
 * length, so the rule of three never applies, and a closer takes the nearest opener left.
 * False when more than `MAX_OPEN` are open at once.
 */
function pairDelimiters(items: Item[]): boolean {
  const openers: number[] = [];
  for (const [k, item] of items.entries()) {
    if (item.kind !== "delim") continue;
    if (item.close && openers.length > 0) {
      const opener = openers.pop() as number;
      (items[opener] as { pair: number }).pair = k;
      item.pair = opener;
    } else if (item.open) {
      if (openers.push(k) > MAX_OPEN) return false;
    }
  }
  return true;
}

function build(items: readonly Item[], from: number, to: number, text: string, places: Places): PhrasingContent[] {
  const nodes: PhrasingContent[] = [];
  let textStart = -1;
  let textEnd = -1;
  const flush = () => {
    if (textStart < 0) return;
    const node: Text = { type: "text", value: text.slice(textStart, textEnd), position: { start: places.point(textStart), end: places.point(textEnd) } };
    nodes.push(node);
    textStart = -1;
  };
  for (let k = from; k < to; k++) {
    const item = items[k] as Item;
    if (item.kind === "text" || (item.kind === "delim" && item.pair < 0)) {
      if (textStart < 0) textStart = item.start;
      textEnd = item.end;
      continue;
    }
    flush();
    const position = { start: places.point(item.start), end: places.point(item.end) };
    if (item.kind === "code") {
      const node: InlineCode = { type: "inlineCode", value: item.value, position };
      nodes.push(node);
    } else if (item.kind === "image") {
      const node: Image = { type: "image", title: null, url: item.url, alt: item.alt, position };
      nodes.push(node);
    } else {
      const close = items[item.pair] as Item;
      const node: Strong = {
        type: "strong",
        children: build(items, k + 1, item.pair, text, places),
        position: { start: position.start, end: places.point(close.end) },
      };
      nodes.push(node);
      k = item.pair;
    }
  }
  flush();
  return nodes;
}
