import type { Point } from "unist";
import { VFile } from "vfile";
import { contentKey } from "../cache/keys.js";
import type { MarkdownLink } from "../rules/links.js";
import type { DocTerms } from "../search/terms.js";
import type { PostmortemMeta, TocEntry } from "../types.js";
import type { PostmortemLink } from "./links.js";

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
  /** `contentKey` of `meta`: with its history and edit link, the key of what lists show of it. */
  readonly metaKey: string;
  /** Where the `slug` field is written, for the message about a slug used twice. */
  readonly slugPlace: Point | undefined;
  readonly messages: readonly MessageRecord[];
  /** Links to other postmortems' Markdown files, checked across the archive. */
  readonly links: readonly MarkdownLink[];
  /** What the build knows of the body without holding it; undefined when the body could not be parsed or rendered (nested too deep, over a budget). */
  readonly body: BodyInfo | undefined;
  /** The body itself while it is held in memory: a record read from or stored in the cache leaves it there (see `RecordCache.contents`). */
  readonly contents?: BodyContents | undefined;
  /** Its search terms and length (see `docTerms`), when it has a body. */
  readonly terms: DocTerms | undefined;
  /** Output paths of the images the body uses. */
  readonly images: readonly string[];
  /** True when the body uses a downloaded image (the cache checks it again after a while). */
  readonly remote: boolean;
  /** Local image files the body uses, with the hash of their bytes: if one changes, the record is stale. */
  readonly localFiles: readonly { readonly file: string; readonly hash: string }[];
}

/**
 * A record as held once stored in the cache: its terms left there, and its body too unless
 * `contents` is given. Made field by field: past a few hundred, a copy made by spreading a
 * record read from a worker took a hidden class of its own, 400 bytes a postmortem.
 */
export function storedRecord(record: PostmortemRecord, contents: BodyContents | undefined): PostmortemRecord {
  const { relPath, meta, metaKey, slugPlace, messages, links, body, images, remote, localFiles } = record;
  return { relPath, meta, metaKey, slugPlace, messages, links, body, contents, terms: undefined, images, remote, localFiles };
}

/** A rendered body, as its page shows it once its links to other postmortems are resolved. */
export interface BodyContents {
  readonly html: string;
  readonly toc: readonly TocEntry[];
  /** The body as plain words, for the search index. */
  readonly text: string;
}

/**
 * What pages and the search index need of a body without reading it: enough for their keys.
 * A warm build makes no page and no fragment again, so it never reads a body.
 */
export interface BodyInfo {
  /** Marks the links in the HTML (see `resolvePostmortemLinks`). */
  readonly nonce: string;
  /** Its links to other postmortems, in the order of their marks. */
  readonly links: readonly PostmortemLink[];
  /** `contentKey` of its HTML, table of contents and text (`bodyHash`): with the links' targets, the key of what its page shows. */
  readonly hash: string;
  /** `fragmentHash` of its search fragment: the fragment's name and key in the index. */
  readonly fragment: string;
}

/** The hash a body's page is keyed by (`BodyInfo.hash`), checked again when the body is read back. */
export function bodyHash(contents: BodyContents): string {
  return contentKey(`${contents.html}\0${JSON.stringify(contents.toc)}\0${contents.text}`);
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
