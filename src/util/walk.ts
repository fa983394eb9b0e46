import type { Nodes as HastNodes } from "hast";
import type { Nodes as MdastNodes } from "mdast";

/** A node of either tree this project walks. */
type AnyNode = HastNodes | MdastNodes;

/**
 * Calls `enter` on every node of a tree, parents before children, in document order.
 * `unist-util-visit` does the same with a closure per node, and renames each one with
 * `Object.defineProperty` for debugging: a fifth of the time spent processing a postmortem.
 * Iterative, so that no nesting overflows the stack. The tree's shape must not change meanwhile.
 */
export function walk<N extends AnyNode>(tree: N, enter: (node: N) => void): void {
  someNode(tree, (node) => {
    enter(node);
    return false;
  });
}

/** True when `test` holds for some node of a tree, in `walk`'s order; the walk stops at the first. */
export function someNode<N extends AnyNode>(tree: N, test: (node: N) => boolean): boolean {
  return each(tree, (node) => (test(node) ? STOP : undefined));
}

/**
 * Calls `enter` on the nodes of a tree in `walk`'s order, but not below a node for which it
 * gives true: `enter` may change that node's children (rehype-autolink-headings' `SKIP`).
 */
export function walkSkipping<N extends AnyNode>(tree: N, enter: (node: N) => boolean): void {
  each(tree, (node) => (enter(node) ? SKIP : undefined));
}

const STOP = 1;
const SKIP = 2;

/** The one walk: `enter` stops it, or skips a node's children; true when it was stopped. */
function each<N extends AnyNode>(tree: N, enter: (node: N) => typeof STOP | typeof SKIP | undefined): boolean {
  const stack: N[] = [tree];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    const next = enter(node);
    if (next === STOP) return true;
    // Pushed last to first, so that the first child is the next one popped (no reversed copy: a walk makes no garbage).
    if (next !== SKIP && "children" in node) {
      const children = node.children as N[];
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as N);
    }
  }
  return false;
}

/** Every element of a hast tree, in document order. */
export function walkElements(tree: HastNodes, enter: (node: Extract<HastNodes, { type: "element" }>) => void): void {
  walk<HastNodes>(tree, (node) => {
    if (node.type === "element") enter(node);
  });
}
