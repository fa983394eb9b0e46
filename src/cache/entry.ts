import path from "node:path";
import type { PostmortemRecord } from "../stages/record.js";
import type { OutputFile } from "../types.js";
import { writeFileAtomic } from "../util/atomic.js";
import { debug } from "../util/debug.js";
import { hashText } from "../util/hash.js";
import { RECORD_SCHEMA } from "./keys.js";
import { readCached } from "./read.js";

/** Where the record cache keeps its entries and image blobs, and the root local image paths are kept relative to. */
export interface EntryPlace {
  readonly recordsDir: string;
  readonly blobsDir: string;
  readonly root: string;
}

/**
 * What the cache keeps of one postmortem, on the first line of its file: its record without the
 * body's contents, which follow on the second line (JSON has no raw line break), so that a warm
 * build decodes and parses the first line alone. Image bytes sit beside.
 */
export interface Entry {
  readonly schema: number;
  readonly key: string;
  readonly record: PostmortemRecord;
}

/** An entry's file. */
export function entryPath(place: EntryPlace, key: string): string {
  return path.join(place.recordsDir, key.slice(0, 2), `${key}.json`);
}

/**
 * The bytes of an image file stored with a record (at `images/<hash>.<ext>`), from the blobs
 * folder: undefined when it is gone or its bytes are not those its name says.
 */
export function readBlob(place: EntryPlace, imagePath: string): Uint8Array | undefined {
  const bytes = readCached(path.join(place.blobsDir, path.basename(imagePath)), "a cached image");
  // The name carries the start of the bytes' hash: a blob that does not match it is not used.
  return bytes && hashText(bytes).startsWith(/^images\/([0-9a-f]{20})\./.exec(imagePath)?.[1] ?? "-") ? bytes : undefined;
}

/**
 * Rules whose outcome is not the file's alone, which its key covers: its images (a missing one
 * may appear, a download may work), the time and memory processing took (the machine's load),
 * and the data budget that every file of a build shares.
 */
const NOT_THE_FILES_ALONE = /^(?:image\/|limits\/(?:time|memory|data-total-bytes)$)/;

/**
 * Whether a record may be kept: not with a message of a rule whose outcome is not the file's
 * alone, nor with an error no rule names. An error of the file's own (a missing section, a bad
 * date) is kept, and said again by every build that reuses it, as the rule settings then say:
 * an archive whose config made such errors warnings (`hindsight init` does) had them processed
 * again at every build, and never taken whole.
 */
export function cacheable(record: PostmortemRecord): boolean {
  return !record.messages.some((m) => (m.ruleId === undefined ? m.fatal === true : NOT_THE_FILES_ALONE.test(m.ruleId)));
}

// Folders this thread made already: one `mkdir` each, not one per file.
const made = new Set<string>();

/**
 * Writes a record's entry and its image blobs, in whatever thread made the record (a worker
 * writes its own: on the main thread, 10,000 entries were seconds the workers waited for their
 * next postmortem). Gives the entry's first line, to be added to the pack; undefined when the
 * record may not be kept or could not be written (a cache that cannot be written only makes
 * the next build slower).
 */
export function writeEntry(place: EntryPlace, key: string, record: PostmortemRecord, images: readonly OutputFile[]): string | undefined {
  if (!cacheable(record)) return undefined;
  try {
    for (const image of images) {
      // Content-addressed: one there already is these bytes, unless it was damaged (then it is written again).
      if (!readBlob(place, image.path)) writeFileAtomic(path.join(place.blobsDir, path.basename(image.path)), image.contents, made);
    }
    const { contents, ...head } = record;
    const localFiles = record.localFiles.map((local) => ({ ...local, file: path.relative(place.root, local.file) }));
    const entry: Entry = { schema: RECORD_SCHEMA, key, record: { ...head, localFiles } };
    const line = JSON.stringify(entry);
    writeFileAtomic(entryPath(place, key), `${line}\n${JSON.stringify(contents ?? null)}`, made);
    return line;
  } catch (error) {
    debug("cache", "a record could not be saved (the next build is slower)", error);
    return undefined;
  }
}
