import type { Root as MdastRoot, RootContent } from "mdast";
import { mustGroup } from "../util/lookup.js";
import { lineStart, linesOf, type Found } from "./found.js";

/** The fields a labelled line can give. */
export const LABELLED_FIELDS = ["severity", "date", "duration", "impact", "services"] as const;

/** A field a labelled line can give. */
export type LabelledField = (typeof LABELLED_FIELDS)[number];

/** The labels read as each field, ignoring case. */
const LABELS: Record<LabelledField, readonly string[]> = {
  severity: ["severity", "severity level", "incident severity", "sev", "level", "priority"],
  date: ["date", "incident date", "date of incident", "start date"],
  duration: ["duration", "incident duration", "outage duration", "total duration", "impact duration", "total impact duration", "downtime"],
  impact: ["impact", "customer impact", "user impact"],
  services: ["services", "service", "affected services", "affected service", "affected systems", "affected components", "components"],
};

const FIELD_BY_LABEL = new Map(Object.entries(LABELS).flatMap(([field, labels]) => labels.map((label) => [label, field as LabelledField])));
const LABELLED_LINE = /^[ \t]*([A-Za-z][A-Za-z ]{0,30}):[ \t]*(\S.*)$/;

/** The field a `Label: value` line gives, and its value; undefined for any other line. */
export function labelledLine(line: string): { field: LabelledField; value: string } | undefined {
  const match = LABELLED_LINE.exec(line);
  if (!match) return undefined;
  const field = FIELD_BY_LABEL.get(mustGroup(match, 1).trim().toLowerCase().replace(/ +/g, " "));
  return field ? { field, value: mustGroup(match, 2).trim() } : undefined;
}

/**
 * `labelled-lines`: fields written as labelled lines, `**Severity**: SEV2`, `Severity: High`,
 * `- **Duration**: 38 minutes` (a bullet), or headings, `## Level: Internal`; the first of each
 * field wins. Only the top level and first-level list items are read: a label nested deeper
 * belongs to something else. Values are as written (`High`, `4 hours, from …`).
 */
export function labelledLines(tree: MdastRoot, text: string): Partial<Record<LabelledField, Found<string>>> {
  const fileLines = text.split(/\r?\n/);
  const found: Partial<Record<LabelledField, Found<string>>> = {};
  const read = (block: RootContent) => {
    linesOf(block).forEach((line, index) => {
      const labelled = labelledLine(line);
      if (labelled && !found[labelled.field]) found[labelled.field] = { value: labelled.value, place: lineStart(block, index, fileLines) };
    });
  };
  for (const node of tree.children) {
    if (node.type === "heading" || node.type === "paragraph") read(node);
    if (node.type === "list") {
      for (const item of node.children) {
        const first = item.children[0];
        if (first?.type === "paragraph") read(first);
      }
    }
  }
  return found;
}

const UNIT_MINUTES: Record<string, number> = { d: 1440, h: 60, m: 1, s: 1 / 60 };
const AMOUNT = /(\d+(?:\.\d+)?)\s*(days?|d|hours?|hrs?|hr|h|minutes?|mins?|m|seconds?|secs?|s)\b/gi;

/**
 * Minutes of a duration as people write it: `4 hours`, `90 minutes`, `1h 30m`, `2 days 3 hours`;
 * what follows a comma, a bracket or `from` is left out (`4 hours, from 11:00 AM to 3:00 PM` → 240),
 * unless only the first brackets hold an amount.
 */
export function parseWrittenDuration(written: string): number | undefined {
  // A duration is said in a few words: a cap keeps the amount pattern linear on a long run of digits.
  const text = written.slice(0, 200);
  const head = text.split(/,|\(|\bfrom\b|\bbetween\b|\bstarting\b/i)[0] ?? "";
  // `21:45 to 23:28 UTC (103 minutes)`: the amount is in the brackets.
  return minutesIn(head) ?? minutesIn(/\(([^()]*)\)/.exec(text)?.[1] ?? "");
}

function minutesIn(head: string): number | undefined {
  let minutes = 0;
  let any = false;
  for (const match of head.matchAll(AMOUNT)) {
    minutes += Number(mustGroup(match, 1)) * (UNIT_MINUTES[mustGroup(match, 2).charAt(0).toLowerCase()] ?? 0);
    any = true;
  }
  return any ? minutes : undefined;
}

/**
 * A list as written in one line: `auth, api-gateway and billing` → three names; a comma in
 * brackets stays (`Storage (Blob, Table)` is one), and a sentence after the list is left out.
 */
export function splitNames(text: string): string[] {
  const names: string[] = [];
  let depth = 0;
  let start = 0;
  const end = text.search(/\.\s/);
  const list = end < 0 ? text : text.slice(0, end);
  for (let i = 0; i <= list.length; i++) {
    const char = list[i];
    if (char === "(" || char === "[" || char === "{") depth++;
    else if ((char === ")" || char === "]" || char === "}") && depth > 0) depth--;
    const and = depth === 0 && list.startsWith(" and ", i);
    if (i === list.length || (depth === 0 && (char === "," || char === ";" || char === "&")) || and) {
      names.push(trimChars(list.slice(start, i), "`\"'@ \t\n", "`\"'. \t\n"));
      start = i + (and ? 5 : 1);
      if (and) i += 4;
    }
  }
  return names.filter((name) => name !== "");
}

/** Cuts the given characters off both ends (a loop: a regex such as `/\s+$/` is quadratic on long runs of spaces). */
export function trimChars(text: string, start: string, end: string): string {
  let from = 0;
  let to = text.length;
  // charAt, not text[i]: within from..to there is always a character, never "" (which `includes` would find).
  while (from < to && start.includes(text.charAt(from))) from++;
  while (to > from && end.includes(text.charAt(to - 1))) to--;
  return text.slice(from, to);
}
