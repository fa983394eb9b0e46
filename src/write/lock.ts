import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { debug } from "../util/debug.js";

/**
 * A lock untouched for this long is stale: its holder touches it every HEARTBEAT_MS while it
 * holds it. Age, not the pid, decides: a pid means nothing in another pid namespace (two CI
 * containers sharing a volume), and in a container every run may get the same one.
 */
const STALE_MS = 5_000;
const HEARTBEAT_MS = 1_000;

/** Locks held by this process, by file: waiters in this process queue here, not on the disk. */
const held = new Map<string, Promise<void>>();

/**
 * Runs `work` holding an exclusive lock on `file`, across processes. The file is created with
 * O_EXCL and holds the owner's pid and a token of its own, and its holder touches it every
 * second: a lock left by a killed process goes stale within seconds and is broken (moved aside,
 * then checked to be the one judged stale), and a build removes only a lock with its token.
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
  const owner = `${process.pid} ${randomBytes(8).toString("hex")}`;
  try {
    for (let attempt = 0; !tryLock(file, owner); attempt++) {
      if (!options.wait) return undefined;
      // Short waits first: a swap holds the lock for a few milliseconds.
      await new Promise((resolve) => setTimeout(resolve, Math.min(50, 1 + attempt) + Math.random() * 3));
    }
    const heartbeat = setInterval(() => {
      const now = new Date();
      try {
        fs.utimesSync(file, now, now);
      } catch (error) {
        debug("lock", "the lock file could not be touched", error);
        // Gone: only if broken as stale, which the heartbeat is there to prevent.
      }
    }, HEARTBEAT_MS);
    heartbeat.unref();
    try {
      return await work();
    } finally {
      clearInterval(heartbeat);
      if (readOwner(file) === owner) fs.rmSync(file, { force: true });
    }
  } finally {
    held.delete(file);
    release();
  }
}

function tryLock(file: string, owner: string): boolean {
  try {
    fs.writeFileSync(file, owner, { flag: "wx" });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  const found = readOwner(file);
  if (found !== undefined && isStale(file)) breakLock(file, found);
  return false;
}

/**
 * Moves a stale lock aside under a name of its own, so that of several builds breaking it only
 * one gets it; if what it moved is not the lock it judged (another build broke that one and
 * took the lock meanwhile), it puts it back.
 */
function breakLock(file: string, stale: string): void {
  const aside = `${file}.${randomBytes(6).toString("hex")}.stale`;
  try {
    fs.renameSync(file, aside);
  } catch (error) {
    debug("lock", "a stale lock was gone before it was moved aside", error);
    return; // gone already
  }
  if (readOwner(aside) !== stale) {
    try {
      fs.linkSync(aside, file); // fails if yet another build holds the lock now
    } catch (error) {
      debug("lock", "a lock moved aside could not be put back", error);
      // Then two builds think they hold it: three builds breaking one lock within microseconds.
    }
  }
  fs.rmSync(aside, { force: true });
}

/** The owner a lock file names; none when it is gone (released or broken meanwhile). */
function readOwner(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (error) {
    debug("lock", "the lock file could not be read", error);
    // Gone: the caller's next attempt finds out what is there now.
    return undefined;
  }
}

/** A lock whose holder stopped touching it: killed, or it never got to write its owner. */
function isStale(file: string): boolean {
  try {
    return Date.now() - fs.statSync(file).mtimeMs > STALE_MS;
  } catch (error) {
    debug("lock", "the lock file was gone when its age was read", error);
    return false; // released meanwhile: the next attempt takes it
  }
}
