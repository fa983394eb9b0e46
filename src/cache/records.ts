import fs from "node:fs";
import path from "node:path";
import { bodyHash, type BodyContents, type PostmortemRecord } from "../stages/record.js";
import type { LazyOutputFile, OutputFile } from "../types.js";
import { cacheable, entryPath, readBlob, writeEntry, type Entry, type EntryPlace } from "./entry.js";
import { contentKey, RECORD_SCHEMA } from "./keys.js";
import { readCached } from "./read.js";
import { readTexts } from "../util/read-texts.js";
import { debug } from "../util/debug.js";
import { HeadPack } from "./pack.js";
import type { DocTerms } from "../search/terms.js";

/** An entry's first line as read, and whether it came from the pack (see pack.ts) or its own file. */
export interface Head {
  readonly text: string;
  readonly packed: boolean;
}

/** A record with downloaded images is processed again after this long, so the images are revalidated. */
const REMOTE_MAX_AGE_MS = 24 * 60 * 60 * 1000;

export { cacheable };

/**
 * The persistent cache of processed postmortems in `.cache/records/`, by their `record` key (see
 * keys.ts). Image bytes are stored once each in `.cache/blobs/` under their content-hashed output
 * name; local image files are noted relative to the root, so the cache can move with the project.
 * An entry whose JSON does not parse, whose key does not match, whose images are missing or
 * altered, or whose local image files changed is ignored, never trusted: deleting `.cache/` is
 * always safe.
 */
export class RecordCache {
  /** Where entries and blobs are: a worker thread writes the entries of the records it makes there (see `writeEntry`). */
  readonly place: EntryPlace;
  /** Keys read or written by this build, to prune the others. */
  private readonly used = new Set<string>();
  private readonly pack: HeadPack;
  /** Entries written by this build: none, and there is nothing to prune. */
  private written = 0;

  /**
   * `mode` names the pack: `check` and `build` key their records apart, and each keeps its own.
   * Without `writePack` (a dev session), the pack is read and left as it is.
   */
  constructor(cacheDir: string, root: string, mode: "build" | "check" = "build", options: { writePack?: boolean } = {}) {
    this.place = { recordsDir: path.join(cacheDir, "records"), blobsDir: path.join(cacheDir, "blobs"), root };
    this.pack = new HeadPack(path.join(cacheDir, `records.${mode}.pack`), `{"schema":${RECORD_SCHEMA},"key":"`, options.writePack ?? true);
  }

  /** Ends a build that failed: the pack it was making is thrown away. */
  discard(): void {
    this.pack.discard();
  }

  /**
   * The cached record (without its body's contents) and its image files, when the entry is there,
   * intact and still true, and of the file at `relPath` when given. `head` is the entry's first
   * line as read already (see `read`).
   */
  get(key: string, head?: Head, relPath?: string): { record: PostmortemRecord; images: OutputFile[] } | undefined {
    let entry: unknown;
    let read: Head;
    const file = this.entryPath(key);
    try {
      read = head ?? { text: firstLine(fs.readFileSync(file)), packed: false };
      entry = JSON.parse(read.text);
      // Another file's record under this key (its path is in the key) is not this one.
      if (!isEntry(entry, key) || (relPath !== undefined && entry.record.relPath !== relPath)) return undefined;
      // Only records with downloaded images grow old: the others are not stat'ed.
      if (entry.record.remote && Date.now() - fs.statSync(file).mtimeMs > REMOTE_MAX_AGE_MS) return undefined;
    } catch (error) {
      debug("cache", "a record entry that cannot be read is a miss", error);
      return undefined;
    }
    const localFiles = entry.record.localFiles.map((local) => ({ ...local, file: path.resolve(this.place.root, local.file) }));
    for (const local of localFiles) {
      if (readHash(local.file) !== local.hash) return undefined;
    }
    const images: OutputFile[] = [];
    for (const imagePath of entry.record.images) {
      const bytes = this.image(imagePath);
      if (!bytes) return undefined;
      images.push({ path: imagePath, contents: bytes });
    }
    this.used.add(key);
    if (read.packed) this.pack.took(key);
    else this.pack.add(read.text);
    return { record: { ...entry.record, localFiles }, images };
  }

  /**
   * The first lines of the entries of these keys, in order: from the pack, else from their own
   * files, read as `readTexts` reads (fast from the page cache and from a cold disk); undefined
   * where there is none.
   */
  async *read(keys: readonly string[]): AsyncGenerator<Head | undefined> {
    const packed = this.pack.read(new Set(keys));
    // Entries are this project's own files: no size limit (a record is bounded by the file's).
    const files = readTexts(
      keys.filter((key) => !packed.has(key)).map((key) => this.entryPath(key)),
      { decode: firstLine },
    );
    for (const key of keys) {
      const line = packed.get(key);
      if (line !== undefined) {
        yield { text: line(), packed: true };
        continue;
      }
      const read = await files.next();
      yield !read.done && read.value.ok ? { text: read.value.value, packed: false } : undefined;
    }
  }

  /**
   * The body's contents of an entry, read back when a page or fragment is made: undefined when
   * the entry is gone, damaged, or no longer the body `hash` names (its images downloaded again).
   */
  contents(key: string, hash: string): BodyContents | undefined {
    try {
      const bytes = fs.readFileSync(this.entryPath(key));
      // The body's hash says it is the one asked for: the record's line is not parsed (a third of the time).
      const start = bytes.indexOf(0x0a) + 1;
      if (start === 0) return undefined;
      const contents = JSON.parse(bytes.toString("utf8", start)) as BodyContents | null;
      return contents && typeof contents.html === "string" && typeof contents.text === "string" && Array.isArray(contents.toc) && bodyHash(contents) === hash
        ? contents
        : undefined;
    } catch (error) {
      debug("cache", "a body that cannot be read back is a miss", error);
      return undefined;
    }
  }

  /**
   * The search terms of an entry, read back when the index is made: undefined when the entry is
   * gone, damaged, or no longer of the body `hash` names. A build holds none of them meanwhile:
   * at 100,000 postmortems they are 380 MB.
   */
  terms(key: string, hash: string): DocTerms | undefined {
    try {
      const entry: unknown = JSON.parse(firstLine(fs.readFileSync(this.entryPath(key))));
      if (!isEntry(entry, key) || entry.record.body?.hash !== hash) return undefined;
      const terms = entry.record.terms as Partial<DocTerms> | undefined;
      return typeof terms?.counts === "string" && typeof terms.length === "number" ? (terms as DocTerms) : undefined;
    } catch (error) {
      debug("cache", "search terms that cannot be read back are a miss", error);
      return undefined;
    }
  }

  /**
   * The bytes of an image file stored with a record (at `images/<hash>.<ext>`), from
   * `.cache/blobs/`: undefined when it is gone or its bytes are not those its name says.
   */
  image(imagePath: string): Uint8Array | undefined {
    return readBlob(this.place, imagePath);
  }

  /** An image file stored with a record, read back from `.cache/blobs/` when it is written; `gone` when it is not there any more. */
  imageFile(file: OutputFile, gone: (what: string) => never): LazyOutputFile {
    // Keyed by its bytes, as a file made already is; `render` holds the path alone, not the bytes.
    const at = file.path;
    return { path: at, key: contentKey(file.contents), render: () => this.image(at) ?? gone(`image ${at}`) };
  }

  /** Stores a record and its image files; true when it was stored, so that its body, terms and images can be read back. */
  set(key: string, record: PostmortemRecord, images: readonly OutputFile[]): boolean {
    return this.adopt(key, writeEntry(this.place, key, record, images));
  }

  /**
   * Takes in the entry of a record that another thread stored (see `writeEntry`): its first
   * line, or undefined when it was not stored. True when it was.
   */
  adopt(key: string, line: string | undefined): boolean {
    this.used.add(key);
    if (line === undefined) return false;
    this.pack.add(line);
    this.written++;
    return true;
  }

  /**
   * Ends a build: the pack gets its lines, and the entries this build did not use are removed,
   * once there are many more of them than used ones (a dev session leaves one per save). Image
   * blobs stay: they are few and shared. Entries are listed only when the pack is written again
   * (when it has as many stale lines, there are stale entries), not at each build that wrote one.
   */
  finish(): void {
    const rewritten = this.pack.commit();
    if (this.written === 0 || !rewritten) return;
    try {
      const { recordsDir } = this.place;
      if (!fs.existsSync(recordsDir)) return;
      const shards = fs.readdirSync(recordsDir, { withFileTypes: true }).filter((d) => d.isDirectory());
      // Entries only: another build's file in flight (`.tmp`) is its own.
      const entries = shards.flatMap((shard) =>
        fs
          .readdirSync(path.join(recordsDir, shard.name))
          .filter((name) => name.endsWith(".json"))
          .map((name) => path.join(recordsDir, shard.name, name)),
      );
      if (entries.length <= 2 * this.used.size + 100) return;
      for (const file of entries) {
        if (!this.used.has(path.basename(file, ".json"))) fs.rmSync(file, { force: true });
      }
    } catch (error) {
      debug("cache", "the record cache could not be pruned", error);
      // A cache that cannot be pruned only takes more room.
    }
  }

  private entryPath(key: string): string {
    return entryPath(this.place, key);
  }
}

/** Whether a parsed entry file is an entry of this key, as far as the cache relies on it. */
function isEntry(value: unknown, key: string): value is Entry {
  if (typeof value !== "object" || value === null) return false;
  const entry = value as Record<string, unknown>;
  if (entry.schema !== RECORD_SCHEMA || entry.key !== key || typeof entry.record !== "object" || entry.record === null) return false;
  const record = entry.record as Record<string, unknown>;
  return (
    typeof record.relPath === "string" &&
    typeof record.metaKey === "string" &&
    Array.isArray(record.images) &&
    Array.isArray(record.localFiles) &&
    typeof record.remote === "boolean"
  );
}

/** An entry's first line, decoded: its record without the body's contents. */
function firstLine(bytes: Buffer): string {
  const end = bytes.indexOf(0x0a);
  return bytes.toString("utf8", 0, end < 0 ? bytes.length : end);
}

function readHash(file: string): string | undefined {
  const bytes = readCached(file, "a local image");
  return bytes && contentKey(bytes);
}
