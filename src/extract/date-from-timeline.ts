import type { Heading, Root as MdastRoot, RootContent } from "mdast";
import { toString } from "mdast-util-to-string";
import type { SectionSpec } from "../config.js";
import { matchSection } from "../util/sections.js";
import { leadingDay, sectionBody, type Found } from "./found.js";

/**
 * `date-from-timeline`: the day of the first dated entry of the timeline: a list item, a table
 * row (its first cell) or a sub-heading that starts with a date (`2020-01-21 15:36`,
 * `Jan 14, 2026`). The timeline is the section playing the `timeline` role, or else a heading
 * named Timeline. Only the day is taken: a timeline's times are often in a local zone.
 */
export function dateFromTimeline(tree: MdastRoot, sections: readonly SectionSpec[]): Found<string> | undefined {
  const timelines = sections.filter((spec) => spec.role === "timeline");
  const isTimeline = (heading: Heading) => {
    const text = toString(heading);
    return (timelines.length > 0 && matchSection(text, timelines) !== undefined) || /^\s*timeline\b/i.test(text);
  };
  const section = sectionBody(tree, isTimeline);
  if (!section) return undefined;
  for (const node of section.nodes) {
    const found = firstDated(node);
    if (found) return found;
  }
  return undefined;
}

function firstDated(node: RootContent): Found<string> | undefined {
  const entries: RootContent[] =
    node.type === "list"
      ? node.children
      : node.type === "table"
        ? node.children
            .slice(1)
            .map((row) => row.children[0])
            .filter((cell) => cell !== undefined)
        : node.type === "heading" || node.type === "paragraph"
          ? [node]
          : [];
  for (const entry of entries) {
    const day = leadingDay(toString(entry).replace(/^[*_\s]+/, ""));
    if (day) return { value: day, place: entry.position?.start };
  }
  return undefined;
}
