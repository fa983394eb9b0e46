import type { PostmortemMeta } from "../types.js";
import { toList } from "./format.js";

// A postmortem's taxonomy terms, read the same way by the pages (organize), the search index's
// filters and its words (the worker threads), so the three never disagree.

/** Labels that differ only in case, width or spacing (`Auth`, `auth`) are one term. */
export function termKey(label: string): string {
  return label.normalize("NFKC").toLowerCase().replace(/\s+/g, " ").trim();
}

/** The values a postmortem gives a list taxonomy (`services`, `tags`, `company`), as written. */
export function termsOf(meta: Pick<PostmortemMeta, "services" | "tags" | "data">, key: string): readonly string[] {
  if (key === "services") return meta.services;
  if (key === "tags") return meta.tags;
  return toList(meta.data[key]);
}
