import type { Root as MdastRoot, RootContent } from "mdast";
import { toString } from "mdast-util-to-string";
import type { Point } from "unist";
import type { SectionRole, SectionSpec } from "../config.js";
import { DEFAULT_SECTIONS } from "../config-defaults.js";

/** The section playing `role`: one of `sections`, or of the default ones when there are none (the section check is off). */
export function sectionFor(role: SectionRole, sections: readonly SectionSpec[]): SectionSpec | undefined {
  return (sections.length === 0 ? DEFAULT_SECTIONS : sections).find((spec) => spec.role === role);
}

/** Lower-cases and collapses whitespace, for comparing headings. */
function normalizeHeading(text: string): string {
  return text.toLowerCase().replace(/\s+/g, " ").trim();
}

/** True when a normalized heading matches a name or alias as written in the config. */
function matchesName(text: string, candidate: string): boolean {
  const trimmed = candidate.trimEnd();
  // A trailing ellipsis, `…` or `...`, makes a prefix alias (`Details of …`).
  const cut = trimmed.endsWith("…") ? 1 : trimmed.endsWith("...") ? 3 : 0;
  if (cut > 0) {
    const before = trimmed.slice(0, -cut);
    const prefix = normalizeHeading(before);
    // `Details of …` wants whole words after it (`Details of the outage`); `Detail…` any letters.
    const wholeWords = before !== before.trimEnd();
    return prefix !== "" && text.startsWith(prefix) && (!wholeWords || text.length === prefix.length || text[prefix.length] === " ");
  }
  const name = normalizeHeading(candidate);
  return text === name || (text.startsWith(name) && /^\s*[\p{P}\p{S}([{]/u.test(text.slice(name.length)));
}

/**
 * The section a heading stands for, or undefined. A heading matches when it equals the
 * section's name or an alias, or starts with one followed by punctuation or a bracket
 * (`Timeline (all times UTC)` is a Timeline), ignoring case and whitespace. A name or alias
 * ending in an ellipsis (`Details of …`, `Details of...`) matches any heading it begins.
 */
export function matchSection(heading: string, sections: readonly SectionSpec[]): SectionSpec | undefined {
  const text = normalizeHeading(heading);
  let best: { spec: SectionSpec; length: number } | undefined;
  for (const spec of sections) {
    for (const candidate of [spec.name, ...spec.aliases]) {
      const name = normalizeHeading(candidate);
      const matches = matchesName(text, candidate);
      // The longest name wins: "Root Cause Analysis: …" is that alias, not "Root Cause".
      if (matches && (!best || name.length > best.length)) best = { spec, length: name.length };
    }
  }
  return best?.spec;
}

/** A place in the body where a configured section begins. */
export interface SectionMark {
  readonly spec: SectionSpec;
  /** The heading text as written. */
  readonly text: string;
  readonly place: Point;
  /** `heading`: a `##` heading; `bold`: a paragraph like `**Timeline:**` standing in for one. */
  readonly kind: "heading" | "bold";
  /** Whether anything but comments stands between this mark and the next heading of its level or above. */
  readonly hasContent: boolean;
}

/** A heading of another level whose text names a section (`### Timeline`), for hints. */
export interface MisleveledHeading {
  readonly spec: SectionSpec;
  readonly depth: number;
  readonly place: Point;
}

/** The configured sections found in a body, in document order, and headings at the wrong level. */
export interface SectionScan {
  readonly marks: readonly SectionMark[];
  readonly misleveled: readonly MisleveledHeading[];
  /** Where the body ends, for a message about a section that is missing altogether. */
  readonly end: Point;
}

/** Scans the top level of a Markdown tree for the configured sections. */
export function scanSections(tree: MdastRoot, sections: readonly SectionSpec[]): SectionScan {
  const marks: SectionMark[] = [];
  const misleveled: MisleveledHeading[] = [];
  const nodes = tree.children;
  nodes.forEach((node, index) => {
    const start = node.position?.start ?? { line: 1, column: 1 };
    if (node.type === "heading") {
      const spec = matchSection(toString(node), sections);
      if (spec && node.depth === 2)
        marks.push({ spec, text: toString(node), place: start, kind: "heading", hasContent: hasContentAfter(nodes, index, sections) });
      else if (spec) misleveled.push({ spec, depth: node.depth, place: start });
      return;
    }
    const label = boldLabel(node);
    const spec = label === undefined ? undefined : matchSection(label, sections);
    if (spec && label !== undefined) marks.push({ spec, text: label, place: start, kind: "bold", hasContent: hasContentAfter(nodes, index, sections) });
  });
  // A bold label only stands in for a section that has no real heading, and only its first
  // one does: the same label under several `###` subsections is a repeated sub-heading.
  const firstBold = new Map<SectionSpec, SectionMark>();
  for (const mark of marks) if (mark.kind === "bold" && !firstBold.has(mark.spec)) firstBold.set(mark.spec, mark);
  const last = nodes[nodes.length - 1];
  const kept = marks.filter((m) => m.kind === "heading" || (firstBold.get(m.spec) === m && !marks.some((h) => h.kind === "heading" && h.spec === m.spec)));
  return { marks: kept, misleveled, end: last?.position?.end ?? { line: 1, column: 1 } };
}

function hasContentAfter(nodes: readonly RootContent[], index: number, sections: readonly SectionSpec[]): boolean {
  for (const node of nodes.slice(index + 1)) {
    const label = boldLabel(node);
    // Only another section's bold label ends a section; `**All times UTC:**` is content.
    if ((node.type === "heading" && node.depth <= 2) || (label !== undefined && matchSection(label, sections))) return false;
    if (!(node.type === "html" && /^\s*<!--[\s\S]*-->\s*$/.test(node.value))) return true;
  }
  return false;
}

/** The label of a paragraph that is only bold text ending in a colon (`**Timeline:**`, `**Timeline**:`). */
function boldLabel(node: RootContent): string | undefined {
  if (node.type !== "paragraph") return undefined;
  const [first, second, ...rest] = node.children;
  if (first?.type !== "strong" || rest.length > 0) return undefined;
  const label = toString(first).trim();
  if (!second && label.endsWith(":")) return label.slice(0, -1).trim();
  if (second?.type === "text" && second.value.trim() === ":") return label;
  return undefined;
}
