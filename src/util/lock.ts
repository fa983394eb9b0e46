import fs from "node:fs";

/** How long a lock file without a readable owner is taken to be still being written. */
const UNOWNED_GRACE_MS = 10_000;
/** A lock is held for milliseconds (a swap, a few renames): one this old belongs to a pid reused since. */
const STALE_AFTER_MS = 120_000;

/** Locks held by this process, by file: waiters in this process queue here, not on the disk. */
const held = new Map<string, Promise<void>>();

/**
 * Runs `work` holding an exclusive lock on `file`, across processes: the file is created with
 * O_EXCL and holds the owner's pid, so a lock left by a killed process is broken, not waited on.
 * With `wait: false`, gives `undefined` at once when another build holds the lock.
 */
export async function withLock<T>(file: string, work: () => Promise<T>, options: { wait: boolean } = { wait: true }): Promise<T | undefined> {
  // One holder at a time in this process; the disk lock orders it with other processes.
  while (held.has(file)) {
    if (!options.wait) return undefined;
    await held.get(file);
  }
  let release!: () => void;
  held.set(file, new Promise<void>((resolve) => (release = resolve)));
  try {
    for (let attempt = 0; !tryLock(file); attempt++) {
      if (!options.wait) return undefined;
      // Short waits first: a swap holds the lock for a few milliseconds.
      await new Promise((resolve) => setTimeout(resolve, Math.min(50, 1 + attempt) + Math.random() * 3));
    }
    try {
      return await work();
    } finally {
      fs.rmSync(file, { force: true });
    }
  } finally {
    held.delete(file);
    release();
  }
}

function tryLock(file: string): boolean {
  try {
    fs.writeFileSync(file, String(process.pid), { flag: "wx" });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  if (isStale(file)) fs.rmSync(file, { force: true });
  return false;
}

/** A lock whose owner is gone: its pid is not running, it never got one written, or it is far too old. */
function isStale(file: string): boolean {
  try {
    const owner = Number(fs.readFileSync(file, "utf8"));
    const age = Date.now() - fs.statSync(file).mtimeMs;
    if (Number.isInteger(owner) && owner > 0) return !isAlive(owner) || age > STALE_AFTER_MS;
    return age > UNOWNED_GRACE_MS;
  } catch {
    return false; // released meanwhile: the next attempt takes it
  }
}

/** Whether a process is running (one we may not signal is running too). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
