import type { Element, Root as HastRoot } from "hast";
import { visit } from "unist-util-visit";
import { markdownLinkTarget } from "../util/md-links.js";
import { postmortemPath, rootPrefix } from "../util/urls.js";

/** Slugs of the postmortems in this build, by their path in the content folder. */
export type SlugsByPath = ReadonlyMap<string, string>;

/**
 * Rewrites links between postmortems, written as links to their Markdown files
 * (`[PM-9](PM-9%20-%20Outage.md#timeline)`, as they work on a git host), into links to their
 * pages. Links to files that are not in the build are left as written (`links/postmortem`
 * reports the missing ones).
 */
export function rehypePostmortemLinks(options: { relPath: string; slug: string; slugs: SlugsByPath }) {
  const toRoot = rootPrefix(postmortemPath(options.slug));
  return (tree: HastRoot) => {
    visit(tree, "element", (node: Element) => {
      const href = node.properties.href;
      if (node.tagName !== "a" || typeof href !== "string") return;
      const target = markdownLinkTarget(href, options.relPath);
      const slug = target && options.slugs.get(target.relPath);
      if (!target || !slug) return;
      node.properties.href = toRoot + postmortemPath(slug) + (target.fragment === undefined ? "" : `#${target.fragment}`);
    });
  };
}
