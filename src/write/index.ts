import { createHash, randomBytes } from "node:crypto";
import { linkSync, mkdirSync, readlinkSync, statSync, utimesSync, writeFileSync } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { HindsightError, IOError, UsageError } from "../errors.js";
import type { Output } from "../types.js";
import { isAlive, withLock } from "./lock.js";
import { BUILD_MARKER, contentKey, folderId, lockFileOf, MARKER_TEXT, previousBuild, saveManifest, type Manifest } from "./manifest.js";
import { insideOf } from "../util/inside.js";
import { fitsInPlace, isEmpty, planUpdate, updateInPlace } from "./in-place.js";

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
}

/**
 * Writes the archive to a temporary folder beside `outDir` and swaps it in only when every
 * file is written: a failed build leaves the previous archive as it was.
 */
export async function writeOutput(target: WriteTarget, files: Iterable<Output>): Promise<void> {
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
  // Each file's key, once: a hash of the bytes of a file made already, the given key of a lazy one.
  const keys = new Map(list.map((file) => [file, "key" in file ? file.key : contentKey(file.contents)]));
  const read = await previousBuild(outDir, target.manifestFile);
  let previous = read?.manifest;
  const publicState = target.publicDir ? await publicFingerprint(target.publicDir) : "";
  if (read && read.manifest.public === publicState) {
    const plan = await planUpdate(list, keys, read.manifest, outDir);
    // Nothing changed since the previous build, which is still in place: there is nothing to write.
    if (isEmpty(plan)) return;
    // A few files changed: only they are written, instead of a whole new folder of links.
    if (target.manifestFile && fitsInPlace(plan, read.manifest, target.publicDir)) {
      const manifestFile = target.manifestFile;
      const staging = await makeStaging(outDir);
      try {
        const done = await withLock(lockFileOf(outDir), () => updateInPlace(outDir, staging, plan, keys, read, manifestFile), { wait: false });
        if (done) return;
      } catch (error) {
        if (error instanceof HindsightError) throw error;
        // The folder may now mix old and new files, and has no manifest: made anew below, with
        // nothing linked from it.
        previous = undefined;
      } finally {
        await fs.rm(staging, { recursive: true, force: true });
        ownStaging.delete(staging);
      }
    }
  }
  const staging = await makeStaging(outDir);
  try {
    if (target.publicDir) await copyPublic(target.publicDir, staging, list);
    let made = writeFiles(staging, outDir, list, keys, previous);
    // Files were linked from the previous build: if another build swapped it meanwhile, they may
    // be that build's; then make every file here instead.
    if (made.linked > 0 && (await folderId(outDir)) !== previous?.dir) {
      await fs.rm(staging, { recursive: true, force: true });
      await fs.mkdir(staging);
      if (target.publicDir) await copyPublic(target.publicDir, staging, list);
      made = writeFiles(staging, outDir, list, keys, undefined);
    }
    await fs.writeFile(path.join(staging, BUILD_MARKER), MARKER_TEXT);
    const ours = (await fs.stat(staging, { bigint: true })).ino;
    const { manifestFile } = target;
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
          if (dir) saveManifest(manifestFile, { dir, public: publicState, files: made.entries });
          else await fs.rm(manifestFile, { force: true });
        }
        return moved;
      })) ?? [];
    await Promise.all(asides.map((aside) => fs.rm(aside, { recursive: true, force: true })));
  } catch (error) {
    await fs.rm(staging, { recursive: true, force: true });
    throw error instanceof HindsightError ? error : new IOError(`Cannot write the archive to ${outDir}`, { cause: error });
  } finally {
    ownStaging.delete(staging);
  }
}

/**
 * Writes the files into the staging folder; a file whose key the previous build wrote (same
 * size, still there) is hard-linked from it, a lazy file is made only when it is not. One file
 * after another, synchronously: several times faster than the same calls in flight on the
 * thread pool, and each page made is garbage as soon as it is written.
 */
function writeFiles(staging: string, outDir: string, files: readonly Output[], keys: ReadonlyMap<Output, string>, previous: Manifest | undefined) {
  const dirs = new Set<string>();
  // In the files' order, whichever finishes first: the manifest is the same bytes every build.
  const entries: Record<string, readonly [string, number]> = {};
  for (const file of files) entries[file.path] = ["", 0];
  let linked = 0;
  let touched = Date.now();
  for (const file of files) {
    // Seen from other builds, a staging folder nobody touches is abandoned.
    if (Date.now() - touched > TOUCH_MS) {
      touched = Date.now();
      utimesSync(staging, touched / 1000, touched / 1000);
    }
    const destination = insideOf(staging, file.path);
    const dir = path.dirname(destination);
    if (!dirs.has(dir)) {
      mkdirSync(dir, { recursive: true });
      dirs.add(dir);
    }
    const key = keys.get(file)!;
    const before = previous?.files[file.path];
    if (before && before[0] === key && linkFrom(path.join(outDir, file.path), destination, before[1])) {
      entries[file.path] = before;
      linked++;
      continue;
    }
    const contents = "key" in file ? file.render() : file.contents;
    writeFileSync(destination, contents);
    entries[file.path] = [key, typeof contents === "string" ? Buffer.byteLength(contents) : contents.byteLength];
  }
  return { entries, linked };
}

/** The public folder's state, as far as a copy of it goes: every file's path, size and time. */
async function publicFingerprint(publicDir: string): Promise<string> {
  const entries = await fs.readdir(publicDir, { recursive: true, withFileTypes: true }).catch(() => []);
  const files = await Promise.all(
    entries.map(async (entry) => {
      const file = path.join(entry.parentPath, entry.name);
      const stat = await fs.lstat(file);
      return `${path.relative(publicDir, file)}\0${stat.isSymbolicLink() ? "link" : stat.size}\0${stat.mtimeMs}`;
    }),
  );
  return createHash("sha1").update(files.sort().join("\n")).digest("base64url");
}

function linkFrom(source: string, destination: string, size: number): boolean {
  try {
    const stat = statSync(source);
    if (!stat.isFile() || stat.size !== size) return false;
    linkSync(source, destination);
    return true;
  } catch {
    return false;
  }
}

async function assertReplaceable(outDir: string, protectedDirs: readonly string[]): Promise<void> {
  for (const dir of protectedDirs.map((d) => path.resolve(d))) {
    if (outDir === dir || dir.startsWith(outDir + path.sep)) {
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
    throw new UsageError(
      `Refusing to replace ${outDir}: it is not empty and was not made by Hindsight (empty it or choose another --out)`,
    );
  }
}

/**
 * Removes staging folders left by builds that were killed mid-write; those of builds still
 * running are theirs to finish. A folder's pid is judged only in this pid namespace (a build in
 * another container sharing the volume has pids of its own): elsewhere, only a folder that its
 * writer has not touched for a minute (it touches it every second) is abandoned.
 */
async function removeAbandonedStaging(outDir: string): Promise<void> {
  const prefix = `.${path.basename(outDir)}.tmp-`;
  const parent = path.dirname(outDir);
  const siblings = await fs.readdir(parent).catch(() => [] as string[]);
  for (const name of siblings) {
    // Ours, or moved aside by one of our swaps in progress (`<staging>.previous-N`).
    if (!name.startsWith(prefix) || ownStaging.has(path.join(parent, name.replace(/\.previous-\d+$/, "")))) continue;
    const [, pid, namespace] = /^(\d+)-(\d+)-/.exec(name.slice(prefix.length)) ?? [];
    // The same pid in this namespace is this process, and the folder is not one of its own: an earlier process's.
    const gone = namespace === PID_NAMESPACE && (Number(pid) === process.pid || !isAlive(Number(pid)));
    const untouched = async () => Date.now() - ((await fs.stat(path.join(parent, name)).catch(() => undefined))?.mtimeMs ?? Date.now()) > ABANDONED_STAGING_MS;
    if (gone || (await untouched())) {
      // Best effort: another build may be removing the same folder; it is not worth failing for.
      await fs.rm(path.join(parent, name), { recursive: true, force: true }).catch(() => undefined);
    }
  }
}

/** A staging folder its writer has not touched for this long is abandoned, whoever wrote it. */
const ABANDONED_STAGING_MS = 60_000;
/** How often a writer touches its staging folder to show it is alive. */
const TOUCH_MS = 1_000;

/** The staging folders of this process's writes in progress. */
const ownStaging = new Set<string>();

/** This process's pid namespace (Linux; "0" elsewhere), so that pids are judged only where they mean something. */
const PID_NAMESPACE = (() => {
  try {
    return /\[(\d+)\]/.exec(readlinkSync("/proc/self/ns/pid"))?.[1] ?? "0";
  } catch {
    return "0";
  }
})();

/** Makes a staging folder beside the output folder, named for this process and marked as its own until removed or swapped in. */
async function makeStaging(outDir: string): Promise<string> {
  // Marked before it exists: another write of this process looking for abandoned folders
  // meanwhile must not take it for an earlier process's.
  const staging = path.join(path.dirname(outDir), `.${path.basename(outDir)}.tmp-${process.pid}-${PID_NAMESPACE}-${randomBytes(6).toString("hex")}`);
  ownStaging.add(staging);
  try {
    await fs.mkdir(staging);
  } catch (error) {
    ownStaging.delete(staging);
    throw error;
  }
  return staging;
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

/** Copies public/ into the staging folder, leaving out what generated files replace. */
async function copyPublic(publicDir: string, staging: string, files: readonly Output[]): Promise<void> {
  const exists = await fs.stat(publicDir).then((s) => s.isDirectory(), () => false);
  if (!exists) return;
  // Generated files win: a public file where a generated folder goes (public/services) or a
  // public folder where a generated file goes (public/index.html/) is left out, not a failure.
  const generated = new Set(files.map((f) => path.posix.normalize(f.path)));
  const generatedDirs = new Set([...generated].flatMap((f) => f.split("/").slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join("/"))));
  await fs.cp(publicDir, staging, {
    recursive: true,
    dereference: false,
    filter: async (src) => {
      const rel = path.relative(publicDir, src).split(path.sep).join("/");
      const stat = await fs.lstat(src);
      // Symlinks are not followed: public/ must not carry files from elsewhere on the machine.
      if (stat.isSymbolicLink()) return false;
      if (stat.isDirectory()) return !generated.has(rel);
      if (generatedDirs.has(rel)) return false;
      return true;
    },
  });
}
