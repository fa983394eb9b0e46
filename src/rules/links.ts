import type { Nodes as MdastNodes } from "mdast";
import type { Point } from "unist";
import { walk } from "../util/walk.js";
import type { ParsedPostmortem } from "../types.js";
import { markdownLinkTarget } from "../util/md-links.js";
import type { Problem } from "../util/messages.js";
import { lintRule } from "./rule.js";

/** A link written in a postmortem to another postmortem's Markdown file. */
export interface MarkdownLink {
  /** The target's path in the content folder. */
  readonly relPath: string;
  /** The file as written, for messages. */
  readonly written: string;
  readonly place: Point | undefined;
}

/** Every link (and link definition) of a postmortem to a Markdown file. */
export function markdownLinks(pm: ParsedPostmortem): MarkdownLink[] {
  const links: MarkdownLink[] = [];
  walk<MdastNodes>(pm.tree, (node) => {
    if (node.type !== "link" && node.type !== "definition") return;
    const target = markdownLinkTarget((node as { url: string }).url, pm.source.relPath);
    if (target) links.push({ relPath: target.relPath, written: target.written, place: node.position?.start });
  });
  return links;
}

/** The problems of links that name no postmortem of the archive (`sources`: content paths). */
export function missingLinkProblems(links: readonly MarkdownLink[], sources: ReadonlySet<string>): Problem[] {
  return links
    .filter((link) => !sources.has(link.relPath))
    .map((link) => ({
      reason: `Unexpected link to \`${link.written}\`, which is not a postmortem of this archive`,
      ruleId: "links/postmortem",
      place: link.place,
      hint: "Check the file name; links are relative to this file's folder, or start with / for the content folder.",
      severity: "warning" as const,
    }));
}

/** `links/postmortem`: a link to another postmortem's Markdown file names a file that exists. */
export const postmortemLinks = lintRule({ id: "links/postmortem", severity: "warning", needsBody: true }, ({ pm, sources }, report) => {
  for (const problem of missingLinkProblems(markdownLinks(pm), sources)) report(problem);
});
