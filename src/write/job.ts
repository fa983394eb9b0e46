import fs from "node:fs";
import { InternalError } from "../errors.js";
import type { Output } from "../types.js";
import type { PreviousBuild } from "./manifest.js";

/** A build's files, checked, and what either way of writing them needs to know. */
export interface WriteJob {
  /** The output folder, absolute. */
  readonly outDir: string;
  /** Each at a path of its own. */
  readonly files: readonly Output[];
  /** Each file's key: a hash of the bytes of a file made already, the given key of a lazy one. */
  readonly keys: ReadonlyMap<Output, string>;
  readonly publicDir: string | undefined;
  /** The public folder's state, as far as a copy of it goes (see `publicFingerprint`). */
  readonly publicState: string;
  /** Where the manifest of the build written is saved; none, none saved. */
  readonly manifestFile: string | undefined;
  /** The `build` key of what the files were made from, saved in the manifest. */
  readonly build: string | undefined;
  /** The previous build, while the output folder is still exactly it: files may be taken from it. */
  readonly previous: PreviousBuild | undefined;
}

/**
 * How a writer's attempt ended: the files are in the output folder; or it declined, having
 * changed nothing; or it broke off having changed part of the output folder, which then mixes
 * two builds and is made anew, with nothing taken from it.
 */
export type Written = "written" | "declined" | "broken";

/** One way of putting a job's files into the output folder. */
export type Writer = (job: WriteJob) => Promise<Written>;

/** A file's key in its job. */
export function keyIn(job: Pick<WriteJob, "keys">, file: Output): string {
  const key = job.keys.get(file);
  if (key === undefined) throw new InternalError(`${file.path} is not one of the write job's files`);
  return key;
}

/** A file's contents: made now, for a lazy file; in pieces, for one that gives them. */
export function bytesOf(file: Output): string | Uint8Array | Iterable<string> {
  if (!("key" in file)) return file.contents;
  return file.chunks ? file.chunks() : file.render();
}

/** The size in bytes of a file's contents. */
function sizeOf(contents: string | Uint8Array): number {
  return typeof contents === "string" ? Buffer.byteLength(contents) : contents.byteLength;
}

/**
 * Characters of a page encoded at a time. A page written whole was its bytes again at once, on
 * top of its text: the list of every postmortem is 65 MB at 100,000, and writing it was the
 * build's peak of memory.
 */
export const SLICE_CHARS = 1 << 20;

/** Bytes, or a text of at most a slice: written in one call (a longer text, or one in pieces, a slice at a time). */
export function isShort(contents: string | Uint8Array | Iterable<string>): contents is string | Uint8Array {
  return contents instanceof Uint8Array || (typeof contents === "string" && contents.length <= SLICE_CHARS);
}

/**
 * Writes a file's contents, text as UTF-8: a long text, or one in pieces, a slice of about a MB
 * at a time. Gives its size in bytes.
 */
export function writeContents(file: string, contents: string | Uint8Array | Iterable<string>): number {
  if (isShort(contents)) {
    fs.writeFileSync(file, contents);
    return sizeOf(contents);
  }
  const fd = fs.openSync(file, "w");
  let size = 0;
  let pending: string[] = [];
  let chars = 0;
  const flush = () => {
    size += writeText(fd, pending.join(""));
    pending = [];
    chars = 0;
  };
  try {
    for (const text of typeof contents === "string" ? [contents] : contents) {
      pending.push(text);
      chars += text.length;
      if (chars >= SLICE_CHARS) flush();
    }
    if (chars > 0) flush();
  } finally {
    fs.closeSync(fd);
  }
  return size;
}

/** Writes a text as UTF-8 a slice at a time, never between the halves of a surrogate pair; gives its size in bytes. */
function writeText(fd: number, text: string): number {
  let size = 0;
  for (let start = 0; start < text.length;) {
    let end = Math.min(start + SLICE_CHARS, text.length);
    // Each slice is encoded on its own.
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    const bytes = Buffer.from(text.slice(start, end), "utf8");
    for (let written = 0; written < bytes.length;) written += fs.writeSync(fd, bytes, written);
    size += bytes.length;
    start = end;
  }
  return size;
}
