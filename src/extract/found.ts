import type { Heading, Root as MdastRoot, RootContent } from "mdast";
import { toString } from "mdast-util-to-string";
import type { Point } from "unist";
import { mustGroup } from "../util/lookup.js";
import { parseDate } from "../util/time.js";

/** A value an extractor read from the text, and where it is written (undefined: the file's path). */
export interface Found<T> {
  readonly value: T;
  readonly place: Point | undefined;
}

/** The nodes under the first heading that `test` accepts, up to the next heading of its level or above. */
export function sectionBody(tree: MdastRoot, test: (heading: Heading) => boolean): { heading: Heading; nodes: RootContent[] } | undefined {
  const start = tree.children.findIndex((node) => node.type === "heading" && test(node));
  if (start < 0) return undefined;
  const heading = tree.children[start] as Heading;
  const nodes: RootContent[] = [];
  for (const node of tree.children.slice(start + 1)) {
    if (node.type === "heading" && node.depth <= heading.depth) break;
    nodes.push(node);
  }
  return { heading, nodes };
}

/** A block's text line by line, as written: a hard break ends a line, as a soft one does (`toString` would join them). */
export function linesOf(node: RootContent): string[] {
  if (!("children" in node)) return toString(node).split("\n");
  let text = "";
  for (const child of node.children as RootContent[]) text += child.type === "break" ? "\n" : toString(child);
  return text.split("\n");
}

/** Where line `index` of a block starts: the block's own start, or the first non-blank column of that line of the file. */
export function lineStart(node: RootContent, index: number, fileLines: readonly string[]): Point | undefined {
  const start = node.position?.start;
  if (!start || index === 0) return start;
  const line = start.line + index;
  const text = fileLines[line - 1] ?? "";
  return { line, column: text.length - text.trimStart().length + 1 };
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const MONTH = "(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?";
const ISO_DAY = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?![\d])/;
// `January 14, 2026`, `Jan 14-19, 2026`, `January 14th 2026`
const MONTH_DAY_YEAR = new RegExp(`^${MONTH}\\s+(\\d{1,2})(?:st|nd|rd|th)?(?:\\s*[-–]\\s*\\d{1,2}(?:st|nd|rd|th)?)?,?\\s+(\\d{4})\\b`, "i");
// `14 January 2026`, `14th Jan, 2026`
const DAY_MONTH_YEAR = new RegExp(`^(\\d{1,2})(?:st|nd|rd|th)?\\s+${MONTH},?\\s+(\\d{4})\\b`, "i");

/**
 * The day a text starts with, as an ISO date (`2026-01-14`): `2026-01-14`, `2026/01/14`,
 * `January 14, 2026` (a range `January 14-19, 2026` gives its first day), `14 Jan 2026`.
 * Undefined when it starts with none, or with a day that does not exist.
 */
export function leadingDay(text: string): string | undefined {
  return leadingDayMatch(text)?.iso;
}

/** `leadingDay`, with the length of the text it read (leading white space included). */
export function leadingDayMatch(text: string): { iso: string; length: number } | undefined {
  const trimmed = text.trimStart();
  const day = writtenDay(trimmed);
  if (!day) return undefined;
  const iso = `${day.year}-${String(day.month).padStart(2, "0")}-${day.day.padStart(2, "0")}`;
  // A real day (not 30 February) in the years an archive holds, as for frontmatter dates.
  return parseDate(iso) ? { iso, length: text.length - trimmed.length + day.length } : undefined;
}

/** The year, month and day a text starts with, in any of the three ways `leadingDay` reads, and the length of what it read. */
function writtenDay(text: string): { year: string; month: number; day: string; length: number } | undefined {
  let m = ISO_DAY.exec(text);
  if (m) return { year: mustGroup(m, 1), month: Number(m[2]), day: mustGroup(m, 3), length: m[0].length };
  if ((m = MONTH_DAY_YEAR.exec(text))) return { year: mustGroup(m, 3), month: monthOf(mustGroup(m, 1)), day: mustGroup(m, 2), length: m[0].length };
  if ((m = DAY_MONTH_YEAR.exec(text))) return { year: mustGroup(m, 3), month: monthOf(mustGroup(m, 2)), day: mustGroup(m, 1), length: m[0].length };
  return undefined;
}

function monthOf(name: string): number {
  return MONTHS.indexOf(name.slice(0, 3).toLowerCase()) + 1;
}
