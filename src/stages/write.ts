import fs from "node:fs/promises";
import path from "node:path";
import { HindsightError, IOError, UsageError } from "../errors.js";
import type { OutputFile } from "../types.js";

/** Name of the marker file that says a folder is a Hindsight build, safe to replace. */
export const BUILD_MARKER = ".hindsight";

/** What the writer needs: where to write and which folders must never be replaced. */
export interface WriteTarget {
  readonly outDir: string;
  /** Copied to the output root first; generated files win over them. */
  readonly publicDir?: string | undefined;
  /** Folders the output may not be, nor contain (project root, content…). */
  readonly protectedDirs: readonly string[];
}

/**
 * Writes the archive to a temporary folder beside `outDir` and swaps it in only when every
 * file is written: a failed build leaves the previous archive as it was.
 */
export async function writeOutput(target: WriteTarget, files: readonly OutputFile[]): Promise<number> {
  const outDir = path.resolve(target.outDir);
  await assertReplaceable(outDir, target.protectedDirs);
  await fs.mkdir(path.dirname(outDir), { recursive: true });
  await removeAbandonedStaging(outDir);
  // The pid in the name tells a later build whether the folder's writer is still alive.
  const staging = await fs.mkdtemp(path.join(path.dirname(outDir), `.${path.basename(outDir)}.tmp-${process.pid}-`));
  try {
    let count = 0;
    if (target.publicDir) count += await copyPublic(target.publicDir, staging);
    const madeDirs = new Set<string>();
    const written = new Set<string>();
    for (const file of files) {
      const destination = insideOf(staging, file.path);
      if (written.has(destination)) throw new HindsightError(`Two output files share the path ${file.path}`);
      written.add(destination);
      const dir = path.dirname(destination);
      if (!madeDirs.has(dir)) {
        await fs.mkdir(dir, { recursive: true });
        madeDirs.add(dir);
      }
      await fs.writeFile(destination, file.contents);
      count++;
    }
    await fs.writeFile(path.join(staging, BUILD_MARKER), "Built by Hindsight. This folder is replaced by each build.\n");
    await swapIn(staging, outDir);
    return count;
  } catch (error) {
    await fs.rm(staging, { recursive: true, force: true });
    throw error instanceof HindsightError ? error : new IOError(`Cannot write the archive to ${outDir}`, { cause: error });
  }
}

/** The absolute path of an output file, refusing any path that would leave the output folder. */
export function insideOf(dir: string, relative: string): string {
  const resolved = path.resolve(dir, relative);
  if (path.isAbsolute(relative) || !resolved.startsWith(dir + path.sep)) {
    throw new HindsightError(`Refusing to write outside the output folder: ${relative}`);
  }
  return resolved;
}

async function assertReplaceable(outDir: string, protectedDirs: readonly string[]): Promise<void> {
  for (const dir of protectedDirs.map((d) => path.resolve(d))) {
    if (outDir === dir || dir.startsWith(outDir + path.sep)) {
      throw new UsageError(`Refusing to use ${outDir} as the output folder: it would replace ${dir} (choose another --out)`);
    }
  }
  const entries = await fs.readdir(outDir).catch(() => undefined);
  if (entries && entries.length > 0 && !entries.includes(BUILD_MARKER)) {
    throw new UsageError(
      `Refusing to replace ${outDir}: it is not empty and was not made by Hindsight (empty it or choose another --out)`,
    );
  }
}

/**
 * Removes staging folders left by builds that were killed mid-write (their process is gone);
 * those of builds still running are theirs to finish.
 */
async function removeAbandonedStaging(outDir: string): Promise<void> {
  const prefix = `.${path.basename(outDir)}.tmp-`;
  const siblings = await fs.readdir(path.dirname(outDir)).catch(() => [] as string[]);
  for (const name of siblings) {
    const pid = name.startsWith(prefix) ? Number(/^(\d+)-/.exec(name.slice(prefix.length))?.[1]) : NaN;
    if (Number.isInteger(pid) && pid !== process.pid && !isAlive(pid)) {
      await fs.rm(path.join(path.dirname(outDir), name), { recursive: true, force: true });
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function swapIn(staging: string, outDir: string): Promise<void> {
  const previous = `${staging}.previous`;
  const hadPrevious = await fs.rename(outDir, previous).then(() => true, (error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return false;
    throw error;
  });
  try {
    await fs.rename(staging, outDir);
  } catch (error) {
    if (hadPrevious) await fs.rename(previous, outDir);
    throw error;
  }
  if (hadPrevious) await fs.rm(previous, { recursive: true, force: true });
}

async function copyPublic(publicDir: string, staging: string): Promise<number> {
  const exists = await fs.stat(publicDir).then((s) => s.isDirectory(), () => false);
  if (!exists) return 0;
  // Symlinks are not followed: public/ must not carry files from elsewhere on the machine.
  await fs.cp(publicDir, staging, { recursive: true, dereference: false, filter: async (src) => !(await fs.lstat(src)).isSymbolicLink() });
  const entries = await fs.readdir(staging, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).length;
}
