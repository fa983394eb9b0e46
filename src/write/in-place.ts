import { lstatSync, statSync } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import pLimit from "p-limit";
import { HindsightError, InternalError } from "../errors.js";
import type { Output } from "../types.js";
import { insideOf } from "../util/inside.js";
import { bytesOf, keyIn, writeContents, type WriteJob, type Writer } from "./job.js";
import { withLock } from "./lock.js";
import { BUILD_MARKER, folderId, lockFileOf, MARKER_TEXT, saveManifest, type Manifest, type PreviousBuild } from "./manifest.js";
import { withStaging } from "./staging.js";

/** Files stat'ed, written or renamed at once: the file system answers faster to many requests in flight. */
const CONCURRENCY = 32;

/**
 * Files an update in place may replace. Each is replaced whole (a rename), but together they
 * are not: past this many, the output folder is made anew and swapped in at once.
 */
const MAX_REPLACED = 256;

/**
 * The way of writing a small change: only the files that changed, into the previous build's
 * output folder, while it is still exactly that build. It writes nothing when nothing changed,
 * and declines, touching nothing, a change it does not suit (see `fitsInPlace`), an output
 * folder whose lock another build holds, or one changed since the manifest was read.
 */
export const updateInPlace: Writer = async (job) => {
  const { outDir, previous, manifestFile } = job;
  if (!previous || !manifestFile) return "declined";
  const plan = planUpdate(job, previous.manifest);
  // The previous build, still in place, is this one: made from other inputs (an edit that changes
  // no output), its manifest says so from now on.
  if (isEmpty(plan)) {
    if (previous.manifest.build !== job.build) await withLock(lockFileOf(outDir), () => renameBuild(job, previous, manifestFile), { wait: false });
    return "written";
  }
  if (!fitsInPlace(plan, previous.manifest, job.publicDir)) return "declined";
  try {
    const update = (staging: string) => withLock(lockFileOf(outDir), () => applyPlan(job, staging, plan, previous, manifestFile), { wait: false });
    const done = await withStaging(outDir, update);
    return done ? "written" : "declined";
  } catch (error) {
    if (error instanceof HindsightError) throw error;
    // The folder may now mix old and new files, and has no manifest.
    return "broken";
  }
};

/** What a build changes in the previous build's output folder. */
interface UpdatePlan {
  /** Files the previous build wrote with the same key, still there with their size. */
  readonly unchanged: number;
  /** Files at a path the previous build wrote, with another key (or gone, or cut, by hand). */
  readonly replaced: readonly Output[];
  /** Files at a path the previous build did not write. */
  readonly added: readonly Output[];
  /** Paths the previous build wrote that this one does not. */
  readonly removed: readonly string[];
  /** False when something other than a file stands where the previous build wrote one (a folder made by hand). */
  readonly plain: boolean;
}

/** Compares a build's files with the previous build's manifest and the output folder as it is. */
function planUpdate({ files, keys, outDir }: WriteJob, previous: Manifest): UpdatePlan {
  // Synchronous stats: tens of thousands of them, each a few microseconds, not a thread-pool round trip.
  let plain = true;
  const sizes = files.map((file) => {
    if (!previous.files[file.path]) return -1;
    const stat = statSync(path.join(outDir, file.path), { throwIfNoEntry: false });
    if (stat && !stat.isFile()) plain = false;
    return stat?.size ?? -1;
  });
  const replaced: Output[] = [];
  const added: Output[] = [];
  let unchanged = 0;
  const paths = new Set<string>();
  files.forEach((file, i) => {
    paths.add(file.path);
    const before = previous.files[file.path];
    if (!before) {
      insideOf(outDir, file.path); // refused before anything is touched
      added.push(file);
    } else if (before[0] === keys.get(file) && before[1] === sizes[i]) {
      unchanged++;
    } else {
      insideOf(outDir, file.path);
      replaced.push(file);
    }
  });
  // The manifest's paths were checked to stay inside when it was read (see `previousBuild`).
  const removed = Object.keys(previous.files).filter((file) => !paths.has(file));
  return { unchanged, replaced, added, removed, plain };
}

/** Whether the plan changes nothing at all. */
function isEmpty(plan: UpdatePlan): boolean {
  return plan.replaced.length === 0 && plan.added.length === 0 && plan.removed.length === 0;
}

/**
 * Whether the plan suits an update in place: few files replaced, a small part of the archive
 * changed, and no file where a folder was or the other way round.
 */
function fitsInPlace(plan: UpdatePlan, previous: Manifest, publicDir: string | undefined): boolean {
  const total = plan.unchanged + plan.replaced.length + plan.added.length;
  if (!plan.plain || plan.replaced.length > MAX_REPLACED || plan.added.length + plan.removed.length > total / 5) return false;
  const folders = new Set(Object.keys(previous.files).flatMap(ancestors));
  if (!plan.added.every((file) => !folders.has(file.path) && ancestors(file.path).every((dir) => !previous.files[dir]))) return false;
  // A public file where a generated one comes or goes: public/ is copied around generated files, so make it all anew.
  const inPublic = (file: string) =>
    publicDir !== undefined &&
    (lstatSync(path.join(publicDir, file), { throwIfNoEntry: false }) !== undefined ||
      ancestors(file).some((dir) => lstatSync(path.join(publicDir, dir), { throwIfNoEntry: false })?.isDirectory() === false));
  return !plan.added.some((file) => inPublic(file.path)) && !plan.removed.some(inPublic);
}

/**
 * Updates the previous build's output folder in place, holding the output folder's lock: new
 * files first (nothing links to them yet), then each changed file replaced whole by a rename,
 * then the files no longer made removed. The manifest is dropped before and saved after, so a
 * build killed in between is followed by one that makes the whole folder anew; one that fails
 * in between makes it anew at once (see `writeOutput`). Gives false, touching nothing, when the
 * folder or the manifest changed since they were read.
 */
async function applyPlan(job: WriteJob, staging: string, plan: UpdatePlan, previous: PreviousBuild, manifestFile: string): Promise<boolean> {
  const { outDir } = job;
  // No manifest (undefined) means another build dropped it: the folder is not the one read.
  const text = await fs.readFile(manifestFile, "utf8").catch(() => undefined);
  if (text !== previous.text || (await folderId(outDir)) !== previous.manifest.dir) return false;
  const files: Record<string, readonly [string, number]> = { ...previous.manifest.files };
  const limit = pLimit(CONCURRENCY);
  const staged = new Map<Output, string>();
  // One after another, synchronously, as a staging folder is written (see swap.ts), with a turn
  // of the event loop between two: the lock is touched meanwhile.
  for (const [n, file] of [...plan.added, ...plan.replaced].entries()) {
    const at = path.join(staging, String(n));
    files[file.path] = [keyIn(job, file), writeContents(at, bytesOf(file))];
    staged.set(file, at);
    await new Promise(setImmediate);
  }
  await fs.rm(manifestFile, { force: true });
  // A new marker before any file moves in: a build linking files from this folder now sees it is not the one it read.
  const marker = path.join(staging, BUILD_MARKER);
  await fs.writeFile(marker, MARKER_TEXT);
  await fs.rename(marker, path.join(outDir, BUILD_MARKER));

  const dirs = new Map<string, Promise<unknown>>();
  const moveIn = (file: Output) =>
    limit(async () => {
      const destination = insideOf(outDir, file.path);
      // A replaced file's folder may have been deleted by hand.
      const dir = path.dirname(destination);
      let made = dirs.get(dir);
      if (!made) dirs.set(dir, (made = fs.mkdir(dir, { recursive: true })));
      await made;
      const from = staged.get(file);
      if (from === undefined) throw new InternalError(`${file.path} was not staged`);
      await fs.rename(from, destination);
    });
  await settled(plan.added.map(moveIn));
  await settled(plan.replaced.map(moveIn));
  await settled(plan.removed.map((file) => limit(() => fs.rm(insideOf(outDir, file), { force: true }))));
  const removed = new Set(plan.removed);
  const kept = Object.fromEntries(Object.entries(files).filter(([file]) => !removed.has(file)));
  await removeEmptyFolders(outDir, plan.removed);
  const dir = await folderId(outDir);
  if (dir) saveManifest(manifestFile, { ...previous.manifest, dir, files: kept, build: job.build });
  return true;
}

/** Saves the manifest with the job's `build` key, while the folder and the manifest are still those read. */
async function renameBuild(job: WriteJob, previous: PreviousBuild, manifestFile: string): Promise<void> {
  const text = await fs.readFile(manifestFile, "utf8").catch(() => undefined);
  if (text === previous.text && (await folderId(job.outDir)) === previous.manifest.dir) saveManifest(manifestFile, { ...previous.manifest, build: job.build });
}

/**
 * Waits for every change to be done or to fail before failing with the first error: none may
 * go on in the output folder once the caller has let go of the lock.
 */
async function settled(changes: readonly Promise<unknown>[]): Promise<void> {
  const failure = (await Promise.allSettled(changes)).find((outcome) => outcome.status === "rejected");
  if (failure) throw failure.reason;
}

/** Removes the folders that removing these files emptied, deepest first. */
async function removeEmptyFolders(outDir: string, removed: readonly string[]): Promise<void> {
  const folders = [...new Set(removed.flatMap(ancestors))].sort((a, b) => b.length - a.length);
  for (const folder of folders) {
    // Not empty (ENOTEMPTY) is the usual answer, and fine.
    await fs.rmdir(path.join(outDir, folder)).catch(() => undefined);
  }
}

/** `a/b/c.html` → `["a", "a/b"]`. */
function ancestors(file: string): string[] {
  const parts = file.split("/");
  return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join("/"));
}
