import path from "node:path";
import { safeDecode } from "./format.js";

/** A link to another postmortem's Markdown file, resolved to its path in the content folder. */
export interface MarkdownLinkTarget {
  /** Content-relative path, `/`-separated (`2023/PM-9 - Outage.md`). */
  readonly relPath: string;
  /** The file as written in the link, decoded, for messages. */
  readonly written: string;
  readonly fragment: string | undefined;
}

/**
 * Resolves a link written in the postmortem at `fromRelPath`: relative to its folder, or with a
 * leading `/` from the content folder. Undefined for anything but a local `.md`/`.markdown` link.
 */
export function markdownLinkTarget(href: string, fromRelPath: string): MarkdownLinkTarget | undefined {
  if (/^[a-z][a-z0-9+.-]*:|^\/\/|^#/i.test(href)) return undefined;
  const hash = href.indexOf("#");
  const target = hash < 0 ? href : href.slice(0, hash);
  if (!/\.(md|markdown)$/i.test(target)) return undefined;
  const written = safeDecode(target);
  const relPath = written.startsWith("/") ? path.posix.normalize(written.slice(1)) : path.posix.join(path.posix.dirname(fromRelPath), written);
  return { relPath, written, fragment: hash < 0 ? undefined : href.slice(hash + 1) };
}
