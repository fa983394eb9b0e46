import type { Element, Nodes, Root } from "hast";
import { toString } from "hast-util-to-string";
import GithubSlugger from "github-slugger";
import { walkElements, walkSkipping } from "../util/walk.js";

// What rehype-slug and rehype-autolink-headings did, in walks of this project's own: theirs
// (unist-util-visit) make a closure for each node and rename it with `Object.defineProperty`,
// 0.25 ms a postmortem for two passes over a small tree. test/stages/headings.test.ts compares
// both with the plugins.

const HEADING = /^h[1-6]$/;
const slugger = new GithubSlugger();

/** Gives each heading without an id one from its text, as GitHub does (`timeline`, `timeline-1`): rehype-slug. */
export function slugHeadings(tree: Root): void {
  slugger.reset();
  walkElements(tree, (node) => {
    if (HEADING.test(node.tagName) && !node.properties.id) node.properties.id = slugger.slug(toString(node));
  });
}

/**
 * Appends a link to itself to each heading with an id that `test` accepts, not to headings
 * inside one that has it: rehype-autolink-headings with `behavior: "append"`, the link
 * `<a class="anchor" aria-hidden="true" tabindex="-1" href="#id">#</a>`.
 */
export function anchorHeadings(tree: Root, test: (heading: Element) => boolean): void {
  walkSkipping<Nodes>(tree, (node) => {
    if (node.type !== "element" || !HEADING.test(node.tagName) || !node.properties.id || !test(node)) return false;
    node.children.push({
      type: "element",
      tagName: "a",
      properties: { className: ["anchor"], ariaHidden: "true", tabIndex: -1, href: `#${node.properties.id}` },
      children: [{ type: "text", value: "#" }],
    });
    return true;
  });
}
