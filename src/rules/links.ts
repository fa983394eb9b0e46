import { visit } from "unist-util-visit";
import { markdownLinkTarget } from "../util/md-links.js";
import { lintRule } from "./rule.js";

/** `links/postmortem`: a link to another postmortem's Markdown file names a file that exists. */
export const postmortemLinks = lintRule({ id: "links/postmortem", severity: "warning", needsBody: true }, ({ pm, sources }, report) => {
  visit(pm.tree, (node) => {
    if (node.type !== "link" && node.type !== "definition") return;
    const target = markdownLinkTarget((node as { url: string }).url, pm.source.relPath);
    if (!target || sources.has(target.relPath)) return;
    report({
      reason: `Unexpected link to \`${target.written}\`, which is not a postmortem of this archive`,
      place: node.position?.start,
      hint: "Check the file name; links are relative to this file's folder, or start with / for the content folder.",
    });
  });
});
