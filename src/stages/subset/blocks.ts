import type { Code, Heading, List, ListItem, Paragraph, Root, RootContent } from "mdast";
import type { Point } from "unist";
import { parseInline, type Line } from "./inline.js";
import { parseTable } from "./table.js";

/**
 * Most postmortems are written in a small part of Markdown: ATX headings, paragraphs, tight
 * lists of one-line items, fenced code, pipe tables, code spans, `**strong**` and images. For a
 * body that keeps to it, `parseSubset` gives the tree micromark and mdast-util-from-markdown
 * would, node for node and position for position, in a twentieth of their time; for any other
 * body it gives `undefined`, and the body is parsed by remark. It gives up at the first line
 * or character it is not sure of: it never guesses. test/stages/subset.test.ts compares its
 * trees with remark's on every corpus and on fuzzed bodies.
 */
export function parseSubset(source: string): Root | undefined {
  if (UNSURE.test(source)) return undefined;
  const lines = source.split("\n");
  const offsets: number[] = [];
  let offset = 0;
  for (const line of lines) {
    offsets.push(offset);
    offset += line.length + 1;
  }
  const at = (k: number, column = 1): Point => ({ line: k + 1, column, offset: (offsets[k] as number) + column - 1 });
  const lineOf = (k: number, column = 1): Line => ({
    text: (lines[k] as string).slice(column - 1),
    line: k + 1,
    column,
    offset: (offsets[k] as number) + column - 1,
  });
  const end = (k: number): Point => at(k, (lines[k] as string).length + 1);

  const children: RootContent[] = [];
  for (let k = 0; k < lines.length;) {
    const line = lines[k] as string;
    if (BLANK.test(line)) {
      k++;
      continue;
    }
    if (line.endsWith(" ")) return undefined;
    let block: RootContent | undefined;
    let next = k + 1;
    const first = line[0] as string;
    if (first === "#") {
      const match = /^(#{1,6}) +(?=[^ ])/.exec(line);
      if (!match || line.endsWith("#")) return undefined;
      const phrasing = parseInline([lineOf(k, match[0].length + 1)]);
      if (!phrasing) return undefined;
      const heading: Heading = {
        type: "heading",
        depth: (match[1] as string).length as Heading["depth"],
        children: phrasing,
        position: { start: at(k), end: end(k) },
      };
      block = heading;
    } else if (line.startsWith("```")) {
      const fence = /^`+/.exec(line)?.[0].length as number;
      const info = line.slice(fence).replace(/^ +/, "");
      if (/[`\\&]/.test(info)) return undefined;
      let close = k + 1;
      for (; close < lines.length; close++) {
        const closing = /^ {0,3}(`+) *$/.exec(lines[close] as string);
        if (closing && (closing[1] as string).length >= fence) break;
      }
      if (close >= lines.length) return undefined;
      const space = info.search(/ /);
      const code: Code = {
        type: "code",
        lang: info === "" ? null : space < 0 ? info : info.slice(0, space),
        meta: space < 0 ? null : info.slice(space).trimStart(),
        value: lines.slice(k + 1, close).join("\n"),
        position: { start: at(k), end: end(close) },
      };
      block = code;
      next = close + 1;
    } else if (first === "|") {
      const table = parseTable(lines, k, at, end);
      if (!table) return undefined;
      block = table.table;
      next = table.next;
    } else if (itemMarker(line)) {
      const list = parseList(lines, k, lineOf, at, end);
      if (!list) return undefined;
      block = list.list;
      next = list.next;
    } else {
      while (next < lines.length && !BLANK.test(lines[next] as string)) next++;
      const paragraph = parseParagraph(lines, k, next, lineOf, at, end);
      if (!paragraph) return undefined;
      block = paragraph;
    }
    children.push(block);
    k = next;
  }
  return { type: "root", children, position: { start: { line: 1, column: 1, offset: 0 }, end: end(lines.length - 1) } };
}

// Tabs, carriage returns, NUL and astral characters change columns or characters; trailing
// spaces can be hard breaks. Each is rare, and remark knows what to do with them.
const BLANK = /^ *$/;
const UNSURE = /[\t\r\0\uD800-\uDFFF]/;

type At = (k: number, column?: number) => Point;
type LineOf = (k: number, column?: number) => Line;

/** A line's list marker (`- `, `1. `, `1) `) and the column its content starts at, if it has one. */
function itemMarker(line: string): { ordered: boolean; start: number | null; marker: string; column: number } | undefined {
  const match = /^(?:(-)|(\d{1,9})([.)])) /.exec(line);
  if (!match) return undefined;
  if (match[1]) return { ordered: false, start: null, marker: "-", column: 3 };
  return { ordered: true, start: Number.parseInt(match[2] as string, 10), marker: match[3] as string, column: match[0].length + 1 };
}

/**
 * A line can start or go on a paragraph, and nothing else, when it starts with a letter, a
 * digit that is no list marker, a code span, `**` before a word, an image or a few marks.
 */
function paragraphLine(line: string): boolean {
  if (line.endsWith(" ")) return false;
  const first = line.charCodeAt(0);
  if ((first >= 65 && first <= 90) || (first >= 97 && first <= 122) || first >= 0xc0) return true;
  if (first >= 48 && first <= 57) return !/^\d{1,9}[.)]( |$)/.test(line);
  switch (line[0]) {
    case "`":
      return !line.startsWith("```");
    case "*":
      return line[1] === "*" && line[2] !== undefined && line[2] !== " " && line[2] !== "*";
    case "!":
      return line[1] === "[";
    case "(":
    case '"':
    case "'":
      return true;
    default:
      return false;
  }
}

function parseParagraph(lines: readonly string[], from: number, to: number, lineOf: LineOf, at: At, end: (k: number) => Point): Paragraph | undefined {
  const content: Line[] = [];
  for (let k = from; k < to; k++) {
    if (!paragraphLine(lines[k] as string)) return undefined;
    content.push(lineOf(k));
  }
  const phrasing = parseInline(content);
  if (!phrasing) return undefined;
  return { type: "paragraph", children: phrasing, position: { start: at(from), end: end(to - 1) } };
}

/** A tight list of one-line items, each a paragraph; the list ends at a blank line. */
function parseList(lines: readonly string[], from: number, lineOf: LineOf, at: At, end: (k: number) => Point): { list: List; next: number } | undefined {
  const kind = itemMarker(lines[from] as string);
  if (!kind) return undefined;
  const items: ListItem[] = [];
  let k = from;
  for (; k < lines.length && !BLANK.test(lines[k] as string); k++) {
    const line = lines[k] as string;
    const marker = itemMarker(line);
    if (!marker || marker.ordered !== kind.ordered || marker.marker !== kind.marker) return undefined;
    const text = line.slice(marker.column - 1);
    if (!paragraphLine(text)) return undefined;
    const phrasing = parseInline([lineOf(k, marker.column)]);
    if (!phrasing) return undefined;
    const paragraph: Paragraph = { type: "paragraph", children: phrasing, position: { start: at(k, marker.column), end: end(k) } };
    const item: ListItem = { type: "listItem", spread: false, checked: null, children: [paragraph], position: { start: at(k), end: end(k) } };
    items.push(item);
  }
  // After the blank line, an item of the same list would make it loose.
  let after = k;
  while (after < lines.length && BLANK.test(lines[after] as string)) after++;
  const following = after < lines.length ? itemMarker(lines[after] as string) : undefined;
  if (following && following.ordered === kind.ordered && following.marker === kind.marker) return undefined;
  const list: List = { type: "list", ordered: kind.ordered, start: kind.start, spread: false, children: items, position: { start: at(from), end: end(k - 1) } };
  return { list, next: k };
}
