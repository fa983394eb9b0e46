import type { Root as HastRoot } from "hast";
import { walkElements } from "../util/walk.js";
import { markdownLinkTarget } from "../util/md-links.js";
import { postmortemPath, rootPrefix } from "../util/urls.js";
import type { PageBody } from "../types.js";
import type { BodyContents } from "./record.js";

/** Slugs of the postmortems in this build, by their path in the content folder. */
export type SlugsByPath = ReadonlyMap<string, string>;

/** A link from a rendered body to another postmortem's Markdown file, resolved when pages are made. */
export interface PostmortemLink {
  /** The target's path in the content folder. */
  readonly relPath: string;
  readonly fragment: string | undefined;
  /** The href as written (after sanitizing), kept when the target is not in the build. */
  readonly href: string;
}

/**
 * Marks links between postmortems, written as links to their Markdown files
 * (`[PM-9](PM-9%20-%20Outage.md#timeline)`, as they work on a git host), so that they can be
 * pointed at the pages once every slug is known: the rendered body then depends on this file
 * alone, and can be cached. The marker is a URL scheme the sanitizer would have removed, with
 * a nonce from the file's text, so the author cannot write one.
 */
export function rehypeMarkPostmortemLinks(options: { relPath: string; nonce: string; links: PostmortemLink[] }) {
  return (tree: HastRoot) => {
    walkElements(tree, (node) => {
      const href = node.properties.href;
      if (node.tagName !== "a" || typeof href !== "string") return;
      const target = markdownLinkTarget(href, options.relPath);
      if (!target) return;
      node.properties.href = `${markerScheme(options.nonce)}${options.links.length}`;
      options.links.push({ relPath: target.relPath, fragment: target.fragment, href });
    });
  };
}

/**
 * Points the marked links of a rendered body at the pages of the postmortems they name. Links to
 * files that are not in the build are left as written (`links/postmortem` reports the missing ones).
 */
export function resolvePostmortemLinks(html: string, options: LinkOptions): string {
  if (options.links.length === 0) return html;
  const targets = linkTargets(options);
  const marker = new RegExp(`href="${markerScheme(options.nonce)}(\\d+)"`, "g");
  return html.replace(marker, (whole, index: string) => {
    const href = targets[Number(index)];
    return href === undefined ? whole : `href="${href.replaceAll("&", "&amp;").replaceAll('"', "&quot;")}"`;
  });
}

/** A body as its page shows it: its HTML with the links to other postmortems resolved. */
export function shownBody(contents: BodyContents, links: LinkOptions): PageBody {
  return { html: resolvePostmortemLinks(contents.html, links), toc: contents.toc, text: contents.text };
}

/** What resolving a body's links needs: its marks, where its page is, and every postmortem's slug. */
export interface LinkOptions {
  readonly nonce: string;
  readonly links: readonly PostmortemLink[];
  readonly slug: string;
  readonly slugs: SlugsByPath;
}

/** Where each of a body's links points once resolved, in order: with the body's hash, the key of what its page shows. */
export function linkTargets(options: Omit<LinkOptions, "nonce">): string[] {
  const toRoot = rootPrefix(postmortemPath(options.slug));
  return options.links.map((link) => {
    const slug = options.slugs.get(link.relPath);
    return slug ? toRoot + postmortemPath(slug) + (link.fragment === undefined ? "" : `#${link.fragment}`) : link.href;
  });
}

function markerScheme(nonce: string): string {
  return `hindsight-pm-${nonce}:`;
}
