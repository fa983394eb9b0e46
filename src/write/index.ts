/**
 * The writer: the only code that changes the output folder (`dist/`). What it promises, and
 * where each promise is kept:
 *
 * 1. **Whole builds only.** A reader of the output folder never sees half a file, nor files of
 *    two builds side by side. A build writes a complete folder beside it (a staging folder,
 *    `staging.ts`) and swaps it in with two renames (`swap.ts`): the output folder is always one
 *    complete build, absent only between the two renames. The one exception is bounded: an
 *    update in place (`in-place.ts`) replaces each changed file whole by a rename, but for the
 *    milliseconds of those renames the folder holds old and new files together. It is used only
 *    for a small change (at most 256 files replaced, a fifth of the archive added or removed).
 * 2. **A failed build leaves the previous output as it was.** Every refusal (a path outside the
 *    output folder, two files at one path, a folder Hindsight did not make) comes before the
 *    output folder is touched, and a failed build's staging folder is removed; one left by a
 *    killed build is removed by the next build. An update in place drops the manifest before
 *    its first rename, so a folder it leaves mixed is made anew: at once when it fails, by the
 *    next build when it is killed (if that fails too, the folder stays mixed until a build succeeds).
 * 3. **Two builds never interleave.** A swap and an update in place hold the output folder's
 *    lock (`lock.ts`: `.dist.lock` beside it, created exclusively, holding its holder's pid and a
 *    token of its own). The holder touches it every second; a lock untouched for 5 s is stale
 *    (its age decides, not its pid, which means nothing in another container) and is broken by
 *    one build only (see `breakLock` for the one race left); a build removes only the lock that
 *    holds its token. Staging folders are
 *    written at once, without the lock; the build that swaps last wins, and a swap that meets a
 *    folder put there by a build without the lock moves that one aside too.
 * 4. **Nothing is written outside the output folder.** Every file's path goes through
 *    `insideOf` before it is written; a manifest that names a path outside it is not trusted;
 *    public/ is copied without following symlinks. The output folder may not be a project
 *    folder nor hold one, nor be a file, nor a non-empty folder without Hindsight's marker.
 * 5. **Files are taken from the previous build only while the output folder is exactly it.**
 *    The manifest (`manifest.ts`, kept in the cache) holds each file's key and size and the
 *    folder's identity (inode, change time, the marker's inode; an update in place replaces the
 *    marker first). A file is hard-linked from the previous build, or left in place, only when
 *    its key and size match and the identity is unchanged; if another build swapped in or
 *    updated the folder while this one linked, every file is made again. Because of these
 *    links, no file is ever written into once it is in an output folder: it is replaced by a
 *    rename. The manifest is saved under the lock, only for the folder this build swapped in.
 *    Deleting the cache is always safe: the next build makes every file.
 * 6. **A build made from the same inputs writes nothing.** The manifest also names the `build`
 *    key of what the folder was made from (see cache/keys.ts); `isUpToDate` reads it, with the
 *    folder's identity, public/ and every file's size, before the build makes anything. An
 *    update in place that finds nothing to change saves the new key, under the lock.
 */
import { statSync } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { HindsightError, UsageError } from "../errors.js";
import type { Output } from "../types.js";
import { updateInPlace } from "./in-place.js";
import type { WriteJob } from "./job.js";
import { contentKey } from "../cache/keys.js";
import { BUILD_MARKER, previousBuild } from "./manifest.js";
import { publicFingerprint } from "./public.js";
import { removeAbandonedStaging } from "./staging.js";
import { stageAndSwap } from "./swap.js";
import { isInside } from "../util/inside.js";

export { BUILD_MARKER } from "./manifest.js";

/** What the writer needs: where to write and which folders must never be replaced. */
export interface WriteTarget {
  readonly outDir: string;
  /** Copied to the output root first; generated files win over them. */
  readonly publicDir?: string | undefined;
  /** Folders the output may not be, nor contain (project root, content…). */
  readonly protectedDirs: readonly string[];
  /**
   * Where to remember what each output file was made from (in the cache). With it, a file whose
   * key is unchanged since the previous build is hard-linked from it instead of made again, and
   * a build that changes only a few files updates the previous build's folder in place.
   */
  readonly manifestFile?: string | undefined;
  /** The `build` key of what the files were made from (see cache/keys.ts), kept in the manifest. */
  readonly build?: string | undefined;
}

/**
 * Writes the archive to the output folder, whole (see the promises above): a failed build
 * leaves the previous archive as it was.
 */
export async function writeOutput(target: WriteTarget, files: Iterable<Output>): Promise<void> {
  let job = await prepare(target, files);
  // The one place a way of writing is chosen. In place, when the previous build is in place with
  // the same public/ (copied around the generated files, it is made whole with them); that
  // writes nothing when nothing changed, and declines what it does not suit. Otherwise, or when
  // it declines, a staging folder swapped in.
  if (job.previous?.manifest.public === job.publicState) {
    const written = await updateInPlace(job);
    if (written === "written") return;
    if (written === "broken") job = { ...job, previous: undefined };
  }
  await stageAndSwap(job);
}

/**
 * Whether the output folder is, file for file, the build made from the inputs of this `build`
 * key: its manifest names the key, the folder is still the one it describes, public/ is as it
 * copied it, and every file is there with its size (what an update in place checks too). A
 * build made from the same inputs writes nothing then.
 */
export async function isUpToDate(target: WriteTarget & { readonly build: string }): Promise<boolean> {
  const outDir = path.resolve(target.outDir);
  const previous = await previousBuild(outDir, target.manifestFile);
  if (previous?.manifest.build !== target.build) return false;
  if (previous.manifest.public !== (target.publicDir ? await publicFingerprint(target.publicDir) : "")) return false;
  // Synchronous stats, as an update in place makes them: tens of thousands, each a few microseconds.
  return Object.entries(previous.manifest.files).every(([file, [, size]]) => {
    const stat = statSync(path.join(outDir, file), { throwIfNoEntry: false });
    return stat?.isFile() === true && stat.size === size;
  });
}

/** Checks the target and the files, before anything is written, and reads the previous build. */
async function prepare(target: WriteTarget, files: Iterable<Output>): Promise<WriteJob> {
  const outDir = path.resolve(target.outDir);
  await assertReplaceable(outDir, target.protectedDirs);
  await fs.mkdir(path.dirname(outDir), { recursive: true });
  await removeAbandonedStaging(outDir);
  const list = [...files];
  const paths = new Set<string>();
  for (const file of list) {
    if (paths.has(file.path)) throw new HindsightError(`Two output files share the path ${file.path}`);
    paths.add(file.path);
  }
  return {
    outDir,
    files: list,
    // Each file's key, once: a hash of the bytes of a file made already, the given key of a lazy one.
    keys: new Map(list.map((file) => [file, "key" in file ? file.key : contentKey(file.contents)])),
    publicDir: target.publicDir,
    publicState: target.publicDir ? await publicFingerprint(target.publicDir) : "",
    manifestFile: target.manifestFile,
    build: target.build,
    previous: await previousBuild(outDir, target.manifestFile),
  };
}

async function assertReplaceable(outDir: string, protectedDirs: readonly string[]): Promise<void> {
  for (const dir of protectedDirs.map((d) => path.resolve(d))) {
    if (isInside(dir, outDir)) {
      throw new UsageError(`Refusing to use ${outDir} as the output folder: it would replace ${dir} (choose another --out)`);
    }
  }
  // A file in the way would be moved aside and deleted by the swap: refuse it like a folder.
  const stat = await fs.stat(outDir).catch(() => undefined);
  if (stat && !stat.isDirectory()) {
    throw new UsageError(`Refusing to use ${outDir} as the output folder: it is a file (choose another --out)`);
  }
  const entries = await fs.readdir(outDir).catch(() => undefined);
  if (entries && entries.length > 0 && !entries.includes(BUILD_MARKER)) {
    throw new UsageError(`Refusing to replace ${outDir}: it is not empty and was not made by Hindsight (empty it or choose another --out)`);
  }
}
