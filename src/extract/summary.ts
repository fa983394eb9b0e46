import type { Root as MdastRoot } from "mdast";
import { toString } from "mdast-util-to-string";
import type { SectionSpec } from "../config.js";
import { matchSection, sectionFor } from "../util/sections.js";
import { sectionBody, type Found } from "./found.js";
import { labelledLine } from "./labelled-lines.js";

const SUMMARY_MAX = 280;
const LIST_ITEMS = 3;

/** A summary, and whether it was read from a list (the `summary-list` extractor) rather than a paragraph. */
export interface FoundSummary extends Found<string> {
  readonly fromList: boolean;
}

/**
 * The summary: the first paragraph of the section playing the `summary` role (with the section
 * check off, the default one's names), or, when `lists` and it has no paragraph, its first list's first items
 * joined (`summary-list`), leaving out the labelled facts that are metadata (`Duration: …`).
 * Cut at 280 characters.
 */
export function summaryFromBody(tree: MdastRoot, sections: readonly SectionSpec[], lists: boolean): FoundSummary | undefined {
  const spec = sectionFor("summary", sections);
  if (!spec) return undefined;
  const section = sectionBody(tree, (heading) => heading.depth === 2 && matchSection(toString(heading), [spec]) !== undefined);
  if (!section) return undefined;
  const paragraph = section.nodes.find((node) => node.type === "paragraph");
  if (paragraph) {
    const text = truncate(oneLine(toString(paragraph)));
    return text ? { value: text, place: paragraph.position?.start, fromList: false } : undefined;
  }
  const list = lists ? section.nodes.find((node) => node.type === "list") : undefined;
  if (list?.type === "list") {
    const items = list.children
      .map((item) => oneLine(toString(item.children[0] ?? item)))
      .filter((item) => item !== "" && !isMetadata(item))
      .slice(0, LIST_ITEMS)
      .map((item) => (/[.!?…]$/.test(item) ? item : `${item}.`));
    if (items.length > 0) return { value: truncate(items.join(" ")), place: list.position?.start, fromList: true };
  }
  return undefined;
}

function isMetadata(item: string): boolean {
  const field = labelledLine(item)?.field;
  return field !== undefined && field !== "impact";
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

function truncate(text: string): string {
  return text.length <= SUMMARY_MAX ? text : `${text.slice(0, SUMMARY_MAX - 1).replace(/\s+\S*$/, "")}…`;
}
