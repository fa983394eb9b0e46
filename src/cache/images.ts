import fs from "node:fs";
import path from "node:path";
import { writeFileAtomic } from "../util/atomic.js";
import type { Validators } from "../images/fetch.js";
import { contentKey } from "./keys.js";
import { readCached } from "./read.js";
import { debug } from "../util/debug.js";

/** What the cache knows of one remote image. */
export interface CachedImage extends Validators {
  readonly hash: string;
  readonly ext: string;
}

// 2: blobs named by `contentKey` (see keys.ts).
const VERSION = 2;

/**
 * The persistent cache of downloaded images in `.cache/images/`: `remote.json` maps each URL to
 * its validators and content hash; the bytes sit beside it as `<hash>.<ext>`. A corrupt index
 * or a blob whose hash does not match is ignored, never trusted: deleting the folder is safe.
 */
export class RemoteImageCache {
  private readonly dir: string;
  private readonly entries: Map<string, CachedImage>;
  /** URLs downloaded by this build, to merge into the index on `save`. */
  private readonly changed = new Set<string>();

  constructor(cacheDir: string) {
    this.dir = path.join(cacheDir, "images");
    this.entries = readIndex(this.indexPath());
  }

  /** The cached entry of a URL and its bytes, when both are there and the bytes are intact. */
  get(url: string): { entry: CachedImage; bytes: Uint8Array } | undefined {
    const entry = this.entries.get(url);
    if (!entry) return undefined;
    const bytes = readCached(this.blobPath(entry), "a downloaded image");
    if (!bytes || contentKey(bytes) !== entry.hash) return undefined;
    return { entry, bytes };
  }

  /** Stores a download (the blob at once, the index on `save`). */
  set(url: string, bytes: Uint8Array, ext: string, validators: Validators): void {
    const entry: CachedImage = { hash: contentKey(bytes), ext, ...validators };
    fs.mkdirSync(this.dir, { recursive: true });
    writeFileAtomic(this.blobPath(entry), bytes);
    this.entries.set(url, entry);
    this.changed.add(url);
  }

  /**
   * Writes the index, if anything changed, atomically. It is read again first so that the
   * entries another build saved meanwhile are kept (two saving at the same instant: one's new
   * entries are lost, which only costs a download next time).
   */
  save(): void {
    if (this.changed.size === 0) return;
    fs.mkdirSync(this.dir, { recursive: true });
    const merged = readIndex(this.indexPath());
    for (const url of this.changed) {
      const entry = this.entries.get(url);
      if (entry) merged.set(url, entry);
    }
    const entries = Object.fromEntries([...merged].sort(([a], [b]) => (a < b ? -1 : 1)));
    writeFileAtomic(this.indexPath(), JSON.stringify({ version: VERSION, entries }, null, 1));
    this.changed.clear();
  }

  private indexPath(): string {
    return path.join(this.dir, "remote.json");
  }

  private blobPath(entry: CachedImage): string {
    return path.join(this.dir, `${entry.hash}.${entry.ext.replace(/[^a-z0-9]/g, "")}`);
  }
}

/** Whether an index entry is one, as far as the cache relies on it (its blob is checked by its hash when read). */
function isCachedImage(value: unknown): value is CachedImage {
  if (typeof value !== "object" || value === null) return false;
  const { hash, ext } = value as Record<string, unknown>;
  return typeof hash === "string" && /^[0-9a-f]{64}$/.test(hash) && typeof ext === "string";
}

function readIndex(file: string): Map<string, CachedImage> {
  try {
    const data: unknown = JSON.parse(fs.readFileSync(file, "utf8"));
    if (typeof data !== "object" || data === null) return new Map();
    const { version, entries } = data as Record<string, unknown>;
    if (version !== VERSION || typeof entries !== "object" || entries === null) return new Map();
    return new Map(Object.entries(entries as Record<string, unknown>).filter((pair): pair is [string, CachedImage] => isCachedImage(pair[1])));
  } catch (error) {
    debug("cache", "the download cache index cannot be read: starting afresh", error);
    return new Map();
  }
}
