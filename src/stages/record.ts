import type { Point } from "unist";
import { VFile } from "vfile";
import type { MarkdownLink } from "../rules/links.js";
import type { DocTerms } from "../search/terms.js";
import type { PostmortemMeta } from "../types.js";
import type { RenderedBody } from "./render.js";

// The shape of a processed postmortem, apart from the Markdown stack that makes it (process.ts):
// a warm build reads records from the cache and never loads that stack.

/** A message of a record: a vfile message as plain data. */
export interface MessageRecord {
  readonly reason: string;
  readonly line: number;
  readonly column: number;
  readonly ruleId: string | undefined;
  readonly note: string | undefined;
  /** True for an error, false for a warning, undefined for an info (as vfile has it). */
  readonly fatal: boolean | undefined;
}

/**
 * Everything the build needs of one postmortem, from its file alone: metadata, messages, the
 * rendered body. Plain data: it crosses from a worker thread, and is cached on disk.
 */
export interface PostmortemRecord {
  readonly relPath: string;
  readonly meta: PostmortemMeta;
  /** Where the `slug` field is written, for the message about a slug used twice. */
  readonly slugPlace: Point | undefined;
  readonly messages: readonly MessageRecord[];
  /** Links to other postmortems' Markdown files, checked across the archive. */
  readonly links: readonly MarkdownLink[];
  /** Undefined when the body could not be parsed or rendered (nested too deep, over a budget). */
  readonly body: RenderedBody | undefined;
  /** Its search terms and length (see `docTerms`), when it has a body. */
  readonly terms: DocTerms | undefined;
  /** Output paths of the images the body uses. */
  readonly images: readonly string[];
  /** True when the body uses a downloaded image (the cache checks it again after a while). */
  readonly remote: boolean;
  /** Local image files the body uses, with the hash of their bytes: if one changes, the record is stale. */
  readonly localFiles: readonly { readonly file: string; readonly hash: string }[];
}

/** A record's messages on a fresh vfile, as the reporters and the rest of the build expect. */
export function fileOf(path: string, record: PostmortemRecord): VFile {
  const file = new VFile({ path });
  for (const m of record.messages) {
    const message = file.message(m.reason, { place: { line: m.line, column: m.column }, ruleId: m.ruleId, source: "hindsight" });
    message.note = m.note;
    message.fatal = m.fatal;
  }
  return file;
}
