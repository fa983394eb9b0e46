import { randomBytes } from "node:crypto";
import { readlinkSync, utimesSync } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { debug } from "../util/debug.js";

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
  } catch (error) {
    debug("write", "no pid namespace (not Linux)", error);
    // No /proc (not Linux): pids are never judged, only a folder's age.
    return "0";
  }
})();

/**
 * Runs `work` with a new staging folder beside the output folder, named for this process and
 * marked as its own until `work` ends; what `work` did not swap in is removed then.
 */
export async function withStaging<T>(outDir: string, work: (staging: string) => Promise<T>): Promise<T> {
  // Marked before it exists: another write of this process looking for abandoned folders
  // meanwhile must not take it for an earlier process's.
  const staging = path.join(path.dirname(outDir), `.${path.basename(outDir)}.tmp-${process.pid}-${PID_NAMESPACE}-${randomBytes(6).toString("hex")}`);
  ownStaging.add(staging);
  try {
    await fs.mkdir(staging);
    return await work(staging);
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
    ownStaging.delete(staging);
  }
}

/**
 * A function to call as a long write goes on: it touches the staging folder every second, so
 * that other builds see that its writer is alive.
 */
export function keepAlive(staging: string): () => void {
  let touched = Date.now();
  return () => {
    if (Date.now() - touched <= TOUCH_MS) return;
    touched = Date.now();
    utimesSync(staging, touched / 1000, touched / 1000);
  };
}

/**
 * Removes staging folders left by builds that were killed mid-write; those of builds still
 * running are theirs to finish. A folder's pid is judged only in this pid namespace (a build in
 * another container sharing the volume has pids of its own): elsewhere, only a folder that its
 * writer has not touched for a minute (it touches it every second) is abandoned.
 */
export async function removeAbandonedStaging(outDir: string): Promise<void> {
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

/** Whether a process is running (one we may not signal is running too). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
