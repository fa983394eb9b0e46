import { linkSync, mkdirSync, statSync } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { HindsightError, IOError } from "../errors.js";
import { insideOf } from "../util/inside.js";
import { bytesOf, isShort, keyIn, writeContents, type WriteJob, type Writer, type Written } from "./job.js";
import { PageWriter } from "./writer.js";
import { withLock } from "./lock.js";
import { BUILD_MARKER, folderId, lockFileOf, MARKER_TEXT, saveManifest, type Manifest } from "./manifest.js";
import { copyPublic } from "./public.js";
import { keepAlive, withStaging } from "./staging.js";
import { debug } from "../util/debug.js";

/**
 * The core way of writing: every file into a staging folder beside the output folder (a file
 * the previous build wrote with the same key hard-linked from it), then the staging folder
 * swapped in whole, holding the output folder's lock. Never declines.
 */
export const stageAndSwap: Writer = (job) =>
  withStaging(job.outDir, async (staging): Promise<Written> => {
    try {
      const entries = await stage(job, staging);
      await swapAndRecord(job, staging, entries);
      return "written";
    } catch (error) {
      throw error instanceof HindsightError ? error : new IOError(`Cannot write the archive to ${job.outDir}`, { cause: error });
    }
  });

/** Fills the staging folder: public/, the files and the marker; gives the manifest's entries. */
async function stage(job: WriteJob, staging: string): Promise<Manifest["files"]> {
  const previous = job.previous?.manifest;
  if (job.publicDir) await copyPublic(job.publicDir, staging, job.files);
  let made = await writeFiles(staging, job, previous);
  // Files were linked from the previous build: if another build swapped it meanwhile, or
  // updated it in place, they may be that build's; then make every file here instead.
  if (made.linked > 0 && (await folderId(job.outDir)) !== previous?.dir) {
    await fs.rm(staging, { recursive: true, force: true });
    await fs.mkdir(staging);
    if (job.publicDir) await copyPublic(job.publicDir, staging, job.files);
    made = await writeFiles(staging, job, undefined);
  }
  await fs.writeFile(path.join(staging, BUILD_MARKER), MARKER_TEXT);
  return made.entries;
}

/**
 * Swaps the staging folder in and, when this build's folder is the one in place, saves its
 * manifest; the folders moved aside are removed once the lock is released.
 */
async function swapAndRecord(job: WriteJob, staging: string, entries: Manifest["files"]): Promise<void> {
  const { outDir, manifestFile } = job;
  const ours = (await fs.stat(staging, { bigint: true })).ino;
  // Under the lock: an update in place must not write into a folder while it is swapped out,
  // and the manifest must describe the folder this build swapped in, not one swapped in after.
  const asides =
    (await withLock(lockFileOf(outDir), async () => {
      const moved = await swapIn(staging, outDir);
      if (manifestFile) {
        // A rename keeps the inode: the output folder is this build's unless a build without
        // the lock swapped its own in since.
        const now = await fs.stat(outDir, { bigint: true }).catch(() => undefined);
        const dir = now?.ino === ours ? await folderId(outDir) : undefined;
        if (dir) saveManifest(manifestFile, { dir, public: job.publicState, files: entries, build: job.build });
        else await fs.rm(manifestFile, { force: true });
      }
      return moved;
    })) ?? [];
  await Promise.all(asides.map((aside) => fs.rm(aside, { recursive: true, force: true })));
}

/** Below this many files, a build's files are written in this thread: a thread of its own costs more than it saves. */
const WRITER_MIN_FILES = 256;

/**
 * Writes the files into the staging folder; a file whose key the previous build wrote (same
 * size, still there) is hard-linked from it, a lazy file is made only when it is not. Files are
 * made one after another, and written synchronously: several times faster than the same calls
 * in flight on the thread pool, and each page made is garbage as soon as it is written. For a
 * large build, the writing is done by a thread of its own (`PageWriter`) while this one makes
 * the next pages; long texts and texts in pieces (not `isShort`) are sent in parts, never encoded whole.
 */
async function writeFiles(staging: string, job: WriteJob, previous: Manifest | undefined) {
  const dirs = new Set<string>();
  // In the files' order, whichever finishes first: the manifest is the same bytes every build.
  const entries: Record<string, readonly [string, number]> = {};
  for (const file of job.files) entries[file.path] = ["", 0];
  let linked = 0;
  const touch = keepAlive(staging);
  const writer = job.files.length >= WRITER_MIN_FILES ? new PageWriter() : undefined;
  try {
    for (const file of job.files) {
      touch();
      const destination = insideOf(staging, file.path);
      const key = keyIn(job, file);
      const before = previous?.files[file.path];
      const contents = before?.[0] === key ? undefined : bytesOf(file);
      if (writer && contents !== undefined) {
        entries[file.path] = [key, isShort(contents) ? writer.write(destination, contents) : await writer.writeLong(destination, contents)];
        await writer.room();
        continue;
      }
      const dir = path.dirname(destination);
      if (!dirs.has(dir)) {
        mkdirSync(dir, { recursive: true });
        dirs.add(dir);
      }
      if (before && contents === undefined && linkFrom(path.join(job.outDir, file.path), destination, before[1])) {
        entries[file.path] = before;
        linked++;
        continue;
      }
      entries[file.path] = [key, writeContents(destination, contents ?? bytesOf(file))];
    }
    await writer?.close();
  } catch (error) {
    // Nothing may be written into the staging folder once it is being removed.
    await writer?.stop();
    throw error;
  }
  return { entries, linked };
}

/** Hard-links the previous build's file, when it is still a file of the size it was written with. */
function linkFrom(source: string, destination: string, size: number): boolean {
  try {
    const stat = statSync(source);
    if (!stat.isFile() || stat.size !== size) return false;
    linkSync(source, destination);
    return true;
  } catch (error) {
    debug("write", "a file could not be hard-linked from the previous build: made instead", error);
    // Gone, on another device, or at its link limit: the file is made instead.
    return false;
  }
}

/** Swaps a build retries when other builds swap theirs in at the same moment (each retry means one of them finished). */
const SWAP_ATTEMPTS = 100;

/**
 * Moves the staging folder to `outDir` with two renames: whatever is at `outDir` is moved
 * aside, then the staging folder takes its place. Builds hold the output folder's lock for it;
 * if a process without it swaps its own folder in between, the second rename fails (the folder
 * is there again): that one is moved aside too and the rename retried. So the build that swaps
 * last wins and `outDir` is only ever one complete build (absent only between two renames).
 * Gives the folders moved aside, for the caller to remove once the lock is released.
 */
async function swapIn(staging: string, outDir: string): Promise<string[]> {
  const asides: string[] = [];
  for (let attempt = 1; ; attempt++) {
    const aside = `${staging}.previous-${attempt}`;
    try {
      if (await renameIfExists(outDir, aside)) asides.push(aside);
      await fs.rename(staging, outDir);
      return asides;
    } catch (error) {
      if (isTaken(error) && attempt < SWAP_ATTEMPTS) continue;
      // Put back the archive moved aside, unless another build has put one there since.
      const last = asides.pop();
      if (last) await fs.rename(last, outDir).catch((restore: unknown) => isTaken(restore) && asides.push(last));
      await Promise.all(asides.map((folder) => fs.rm(folder, { recursive: true, force: true })));
      throw error;
    }
  }
}

async function renameIfExists(from: string, to: string): Promise<boolean> {
  try {
    await fs.rename(from, to);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}

/** A rename onto `outDir` failed because a folder is there (put by another build). */
function isTaken(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === "ENOTEMPTY" || code === "EEXIST";
}
