import fs from "node:fs";
import path from "node:path";
import { writeFileAtomic } from "../util/atomic.js";
import { debug } from "../util/debug.js";

/** A file's stamp, as git's index keeps it: size, times and inode, all changed by a write. */
export type Stamp = readonly [size: number, mtimeMs: number, ctimeMs: number, ino: number];

/** `.cache/texts.json`: each file's stamp and its text's content key, by absolute path. */
interface Saved {
  readonly version: 1;
  readonly files: Readonly<Record<string, readonly [...Stamp, string]>>;
}

/**
 * A file changed this recently before it was stat'ed gets no stamp: on a file system whose
 * times are coarse (one or two seconds), a second write in the same tick would leave the same
 * stamp. Git calls these files racily clean, and reads them again.
 */
export const RACY_MS = 2_000;

/**
 * The texts' stamps of the last build (`.cache/texts.json`): a build does not read a file whose
 * stamp is the one noted when its text was last read, and takes the text's content key noted
 * then; the record cache, keyed by that content key, does the rest. A file processed again is
 * read then. Stamps are a hint about this machine's files, never part of a key: a cache restored
 * elsewhere (CI) has no matching stamp, and every file is read.
 */
export class TextStamps {
  private readonly before = new Map<string, { stamp: Stamp; textKey: string }>();
  private readonly now = new Map<string, readonly [...Stamp, string]>();
  /** The stamps `known` found of the files to read, for `note` after they are read. */
  private readonly toRead = new Map<string, Stamp>();
  private changed = false;

  private readonly file: string;

  /** The stamps kept in this cache folder. */
  constructor(cacheDir: string) {
    this.file = path.join(cacheDir, "texts.json");
    try {
      const saved: unknown = JSON.parse(fs.readFileSync(this.file, "utf8"));
      const files = (saved as { version?: unknown; files?: unknown } | null)?.files;
      if ((saved as { version?: unknown }).version !== 1 || typeof files !== "object" || files === null) return;
      for (const [absolute, entry] of Object.entries(files as Record<string, unknown>)) {
        if (isSavedEntry(entry)) this.before.set(absolute, { stamp: [entry[0], entry[1], entry[2], entry[3]], textKey: entry[4] });
      }
    } catch (error) {
      debug("cache", "no texts' stamps, or damaged ones: every file is read", error);
    }
  }

  /** The content key of the file's text when its stamp is the one noted with it; undefined when it must be read. */
  known(absolute: string): string | undefined {
    const stat = fs.statSync(absolute, { throwIfNoEntry: false });
    if (!stat?.isFile()) return undefined;
    const stamp = stampOf(stat);
    const noted = this.before.get(absolute);
    if (!noted || !sameStamp(noted.stamp, stamp)) {
      this.toRead.set(absolute, stamp);
      return undefined;
    }
    this.now.set(absolute, [...noted.stamp, noted.textKey]);
    return noted.textKey;
  }

  /** Notes the content key of a file's text as read now, under the stamp `known` found before reading it. */
  note(absolute: string, textKey: string): void {
    const stamp = this.toRead.get(absolute);
    this.toRead.delete(absolute);
    if (!stamp || Date.now() - stamp[1] < RACY_MS) return;
    const noted = this.before.get(absolute);
    if (!noted || noted.textKey !== textKey || !sameStamp(noted.stamp, stamp)) this.changed = true;
    this.now.set(absolute, [...stamp, textKey]);
  }

  /** Keeps the stamps of the files seen by this build (those of files gone are dropped), when anything changed. */
  save(): void {
    if (!this.changed && this.now.size === this.before.size) return;
    try {
      const saved: Saved = { version: 1, files: Object.fromEntries(this.now) };
      writeFileAtomic(this.file, JSON.stringify(saved));
    } catch (error) {
      debug("cache", "the texts' stamps could not be saved (the next build reads every file)", error);
    }
  }
}

/** Whether a saved entry is four numbers and a key, as `save` writes it. */
function isSavedEntry(entry: unknown): entry is readonly [...Stamp, string] {
  return Array.isArray(entry) && entry.length === 5 && entry.slice(0, 4).every((n) => typeof n === "number") && typeof entry[4] === "string";
}

export function stampOf(stat: fs.Stats): Stamp {
  return [stat.size, stat.mtimeMs, stat.ctimeMs, stat.ino];
}

export function sameStamp(a: Stamp, b: Stamp): boolean {
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3];
}
