import type { List, ListItem, Parents } from "mdast";
import { defaultHandlers, type State } from "mdast-util-to-hast";

const looseness = new WeakMap<List, boolean>();

/**
 * mdast-util-to-hast's list-item handler, made linear: the default one asks, for every item,
 * whether any item of its list is loose, so a list of 100,000 items took minutes. The answer
 * is the same for the whole list, so it is computed once and handed over as a stand-in parent.
 */
export function listItem(state: State, node: ListItem, parent: Parents | undefined) {
  if (parent?.type !== "list") return defaultHandlers.listItem(state, node, parent);
  let loose = looseness.get(parent);
  if (loose === undefined) {
    loose = Boolean(parent.spread) || parent.children.some((item) => item.spread || item.children.length > 1);
    looseness.set(parent, loose);
  }
  return defaultHandlers.listItem(state, node, { type: "list", spread: loose, children: [] });
}
