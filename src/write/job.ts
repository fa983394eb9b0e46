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

/** A file's contents: made now, for a lazy file. */
export function bytesOf(file: Output): string | Uint8Array {
  return "key" in file ? file.render() : file.contents;
}

/** The size in bytes of a file's contents. */
export function sizeOf(contents: string | Uint8Array): number {
  return typeof contents === "string" ? Buffer.byteLength(contents) : contents.byteLength;
}
