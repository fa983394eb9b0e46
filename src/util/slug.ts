import slugifyLib from "@sindresorhus/slugify";
import { hashText } from "./hash.js";

/** A URL-safe, lowercase slug of one path segment or term ("Café & Crème" → "cafe-and-creme"). */
export function slugify(text: string): string {
  return slugifyLib(text, { decamelize: false });
}

/**
 * A slug that is never empty: text made only of symbols (emoji, CJK punctuation) gets a short
 * stable hash so that it still has a page of its own.
 */
export function slugOrHash(text: string): string {
  return slugify(text) || `x-${hashText(text).slice(0, 8)}`;
}

/** The slug of a content file path: each folder and the file name slugified, extension dropped. */
export function slugFromPath(relPath: string): string {
  const withoutExt = relPath.replace(/\.(md|markdown)$/i, "");
  return withoutExt.split("/").map(slugOrHash).join("/");
}
