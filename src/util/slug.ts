import slugifyLib from "@sindresorhus/slugify";
import { hashText } from "./hash.js";

/** A URL-safe, lowercase slug of one path segment or term ("Café & Crème" → "cafe-and-creme"). */
export function slugify(text: string): string {
  return slugifyLib(text, { decamelize: false });
}

const MAX_SLUG = 80;

/**
 * A slug that is never empty nor too long for a file name: text made only of symbols (emoji)
 * gets a short stable hash, and a long one is cut at a word with a hash of the whole appended.
 */
export function slugOrHash(text: string): string {
  const slug = slugify(text);
  if (!slug) return `x-${hashText(text).slice(0, 8)}`;
  if (slug.length <= MAX_SLUG) return slug;
  const cut = slug.slice(0, MAX_SLUG).replace(/-[^-]*$/, "") || slug.slice(0, MAX_SLUG);
  return `${cut}-${hashText(text).slice(0, 8)}`;
}

/** The slug of a content file path: each folder and the file name slugified, extension dropped. */
export function slugFromPath(relPath: string): string {
  const withoutExt = relPath.replace(/\.(md|markdown)$/i, "");
  return withoutExt.split("/").map(slugOrHash).join("/");
}
