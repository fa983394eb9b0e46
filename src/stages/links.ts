import path from "node:path";
import type { Element, Root as HastRoot } from "hast";
import { visit } from "unist-util-visit";
import type { VFile } from "vfile";
import { safeDecode } from "../util/format.js";
import { report } from "../util/messages.js";
import { postmortemPath, rootPrefix } from "../util/urls.js";

/** Slugs of the postmortems in this build, by their path in the content folder. */
export type SlugsByPath = ReadonlyMap<string, string>;

const MARKDOWN_LINK = /\.(md|markdown)$/i;

/**
 * Rewrites links between postmortems, written as links to their Markdown files
 * (`[PM-9](PM-9%20-%20Outage.md#timeline)`, as they work on a git host), into links to their
 * pages. A link to a Markdown file that is not in the build is a warning.
 */
export function rehypePostmortemLinks(options: { relPath: string; slug: string; slugs: SlugsByPath }) {
  const fromDir = path.posix.dirname(options.relPath);
  const toRoot = rootPrefix(postmortemPath(options.slug));
  return (tree: HastRoot, file: VFile) => {
    visit(tree, "element", (node: Element) => {
      const href = node.properties.href;
      if (node.tagName !== "a" || typeof href !== "string" || /^[a-z][a-z0-9+.-]*:|^\/\/|^#/i.test(href)) return;
      const [target = "", fragment] = href.split("#", 2);
      if (!MARKDOWN_LINK.test(target)) return;
      const decoded = safeDecode(target);
      const relPath = decoded.startsWith("/") ? path.posix.normalize(decoded.slice(1)) : path.posix.join(fromDir, decoded);
      const slug = options.slugs.get(relPath);
      if (slug) {
        node.properties.href = toRoot + postmortemPath(slug) + (fragment === undefined ? "" : `#${fragment}`);
        return;
      }
      report(file, {
        reason: `Unexpected link to \`${decoded}\`, which is not a postmortem of this build`,
        ruleId: "link/postmortem",
        place: node.position?.start,
        hint: "Check the file name (links are relative to this file), or whether the target is a draft.",
      });
    });
  };
}
