import type { Point } from "unist";
import { VFile } from "vfile";
import type { ResolvedConfig } from "../config.js";
import type { ImageStore } from "../images/store.js";
import { markdownLinks, postmortemLinks, type MarkdownLink } from "../rules/links.js";
import { rules } from "../rules/index.js";
import { docTerms, type DocTerms } from "../search/terms.js";
import type { PostmortemMeta, SourceFile } from "../types.js";
import { isError } from "../util/messages.js";
import { parse } from "./parse.js";
import { renderBody, type RenderedBody } from "./render.js";

const FILE_START = Object.freeze({ line: 1, column: 1 });
// Rules about other files are run across the archive, on the records; these need this file alone.
const fileRules = rules.filter((rule) => rule !== postmortemLinks);

/** A message of a record: a vfile message as plain data. */
export interface MessageRecord {
  readonly reason: string;
  readonly line: number;
  readonly column: number;
  readonly ruleId: string | undefined;
  readonly note: string | undefined;
  readonly fatal: boolean;
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
  /** Undefined when the file has an error before rendering (it is not rendered) or rendering failed. */
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

/**
 * One postmortem through every stage that needs it alone: parse, the per-file rules, render
 * (skipped when there already is an error: that build fails anyway).
 */
export async function processPostmortem(source: SourceFile, config: ResolvedConfig, images: ImageStore): Promise<PostmortemRecord> {
  const pm = parse(source, config);
  const context = { pm, config, sources: new Set<string>(), placeOf: (field: string) => pm.places.get(field)?.value ?? FILE_START };
  for (const rule of fileRules) rule.check(context);
  const failed = pm.file.messages.some(isError);
  const used = new Set<string>();
  const localFiles = new Map<string, string>();
  let remote = false;
  const body = failed
    ? undefined
    : await renderBody(pm, images, (stored) => {
        used.add(stored.path);
        if (stored.local) localFiles.set(stored.local.file, stored.local.hash);
        if (stored.remote) remote = true;
      });
  return {
    relPath: source.relPath,
    meta: pm.meta,
    slugPlace: pm.places.get("slug")?.value,
    messages: pm.file.messages.map((m) => ({ reason: m.reason, line: m.line ?? 1, column: m.column ?? 1, ruleId: m.ruleId, note: m.note, fatal: m.fatal === true })),
    links: pm.bodyOk ? markdownLinks(pm) : [],
    body,
    terms: body && docTerms(pm.meta, body.text),
    images: [...used].sort(),
    remote,
    localFiles: [...localFiles].sort(([a], [b]) => (a < b ? -1 : 1)).map(([file, hash]) => ({ file, hash })),
  };
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
