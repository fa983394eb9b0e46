import type { Root as MdastRoot, RootContent } from "mdast";
import { toString } from "mdast-util-to-string";
import { leadingDayMatch, type Found } from "./found.js";

// Where a date may begin: a year, a month's name, or a day before a month's name.
const CANDIDATE =
  /\b(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d|\d{1,2}(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec))/gi;

/**
 * `date-from-text`: the first whole date written in the opening prose, the paragraphs before
 * the first heading below the title (`On January 24, 2023, …`, `on Tuesday, 19 July 2022`), as an ISO
 * day. The last resort for archives that keep their postmortems as prose.
 */
export function dateFromText(tree: MdastRoot): Found<string> | undefined {
  for (const node of tree.children) {
    if (node.type === "heading" && node.depth >= 2) break;
    if (node.type !== "paragraph") continue;
    const found = firstDay(node);
    if (found) return found;
  }
  return undefined;
}

function firstDay(node: RootContent): Found<string> | undefined {
  const text = toString(node);
  for (const candidate of text.matchAll(CANDIDATE)) {
    const match = leadingDayMatch(text.slice(candidate.index, candidate.index + 40));
    if (match) return { value: match.iso, place: node.position?.start };
  }
  return undefined;
}
