import type { List, ListItem, Root as MdastRoot } from "mdast";
import { toString } from "mdast-util-to-string";
import type { SectionSpec } from "../config.js";
import { DEFAULT_SECTIONS } from "../config-defaults.js";
import { matchSection, sectionFor } from "../util/sections.js";
import { parseDate } from "../util/time.js";

/** A follow-up from a postmortem's task list: `- [ ] Add TTL jitter @mlopez due:2025-04-01 OPS-123`. */
export interface ActionItem {
  /** The item as written, without its `@owner`, `due:` and ticket tokens (they have fields of their own). */
  readonly text: string;
  readonly done: boolean;
  readonly owner: string | undefined;
  /** ISO date. */
  readonly due: string | undefined;
  /** Ticket key such as `OPS-123`. */
  readonly ticket: string | undefined;
  readonly line: number;
}

const OWNER = /(^|\s)@([\w.-]+)/;
const DUE = /(^|\s)due:\s*(\d{4}-\d{2}-\d{2})\b/i;
const TICKET = /\b([A-Z][A-Z0-9]{1,9}-\d+)\b/;

/**
 * The task-list items of the section playing the `actions` role (by default the corrective
 * measures: `Action Items`, `Follow-ups`, `Remediation`…); in a postmortem without one, every
 * task-list item.
 */
export function extractActions(tree: MdastRoot, sections: readonly SectionSpec[] = DEFAULT_SECTIONS): ActionItem[] {
  const nodes = tree.children;
  const spec = sectionFor("actions", sections);
  const start = spec ? nodes.findIndex((n) => n.type === "heading" && n.depth === 2 && matchSection(toString(n), [spec])) : -1;
  let scope = nodes;
  if (start >= 0) {
    const end = nodes.findIndex((n, i) => i > start && n.type === "heading" && n.depth <= 2);
    scope = nodes.slice(start + 1, end < 0 ? undefined : end);
  }
  const items: ActionItem[] = [];
  const walk = (list: List) => {
    for (const item of list.children) {
      if (typeof item.checked === "boolean") items.push(toAction(item));
      for (const child of item.children) if (child.type === "list") walk(child);
    }
  };
  for (const node of scope) if (node.type === "list") walk(node);
  return items;
}

function toAction(item: ListItem): ActionItem {
  const first = item.children.find((c) => c.type === "paragraph");
  const raw = (first ? toString(first) : "").replace(/\s+/g, " ").trim();
  const due = DUE.exec(raw)?.[2];
  const ticket = TICKET.exec(raw)?.[1];
  return {
    text: raw
      .replace(OWNER, "$1")
      .replace(DUE, "$1")
      .replace(ticket ?? /$^/, "")
      .replace(/\s+/g, " ")
      .trim(),
    done: item.checked === true,
    owner: OWNER.exec(raw)?.[2],
    due: due && parseDate(due) ? due : undefined,
    ticket,
    line: item.position?.start.line ?? 1,
  };
}
