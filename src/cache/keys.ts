import { createHash } from "node:crypto";
import path from "node:path";
import type { ResolvedConfig } from "../config.js";
import type { SourceFile } from "../types.js";

/**
 * Every key of every cache, in one place. One hash (SHA-256, hex) through one function,
 * `cacheKey`; each kind below says what its key covers, so that a change to anything listed
 * misses and nothing else does. Keys hold no absolute path and no file time: a `.cache/`
 * restored at another path, with every file's time new (a CI checkout), stays warm.
 *
 * | kind        | covers                                                                      | kept in                                   |
 * | ----------- | --------------------------------------------------------------------------- | ----------------------------------------- |
 * | `settings`  | the record schema, Hindsight's code (`codeId`), the config as processing reads it (`portableSettings`); offline; build or check | part of `record`, `site` |
 * | `record`    | `settings`, the file's path in the content folder, its text (by its `content` key) | `.cache/records/`, `BuildSession` (dev)   |
 * | `page`      | `record` and the body's HTML with links resolved                           | page and search keys                      |
 * | `site`      | code, theme (`theme`), `settings`, the archive's shape (counts, term ids)   | lazy pages' keys (writer, dev)            |
 * | `theme`     | each layout's name and bytes, the asset names                               | part of `site`                            |
 * | `search`    | code, severities, taxonomies, language, search options, each `page` + slug  | `.cache/search/`                          |
 * | `content`   | a file's bytes                                                               | write manifest, dev's served files, downloaded image blobs |
 * | `outputs`   | the output folder, relative to the root                                      | `.cache/outputs/<key>.json` (the manifest's name) |
 * | `public`    | `public/`: each file's path, size and time                                   | write manifest (copy public/ again or not) |
 * | `build`     | each `record` key in order, the rule settings, `theme`, drafts, strict, what git says of the files | write manifest, `.cache/outputs/<key>.last.json` (see last-build.ts) |
 *
 * Entries also check themselves when read (a record's local image files by `content` hash, a
 * blob by its name's hash), so deleting or damaging `.cache/` is always safe.
 */
export type KeyKind = "settings" | "record" | "page" | "site" | "theme" | "search" | "content" | "outputs" | "public" | "build";

/** One part of a key: text and bytes are hashed as they are, anything else as its JSON. */
export type KeyPart = string | Uint8Array | number | boolean | null | undefined | object;

/** Bumped whenever a cached record's shape or meaning changes. */
export const RECORD_SCHEMA = 9;

/**
 * The one key function: SHA-256 over the kind and each part, each part tagged with its type and
 * length, so that no two different lists of parts give the same bytes.
 */
export function cacheKey(kind: KeyKind, ...parts: readonly KeyPart[]): string {
  const hash = createHash("sha256").update(kind);
  for (const part of parts) {
    if (typeof part === "string") hash.update(`\0s${part.length}\0`).update(part);
    else if (part instanceof Uint8Array) hash.update(`\0b${part.byteLength}\0`).update(part);
    else {
      // JSON.stringify(undefined) is undefined, whatever its declared type says.
      const json = (JSON.stringify(part) as string | undefined) ?? "undefined";
      hash.update(`\0j${json.length}\0`).update(json);
    }
  }
  return hash.digest("hex");
}

/** The key of a file's bytes. */
export function contentKey(contents: string | Uint8Array): string {
  return cacheKey("content", contents);
}

/**
 * Everything of the config and options that a processed postmortem depends on. Rule settings
 * apply to the final messages, after the cache: changing one reprocesses nothing.
 */
export function settingsKey(config: ResolvedConfig, code: string, offline: boolean, mode: "build" | "check" = "build"): string {
  return cacheKey("settings", RECORD_SCHEMA, code, portableSettings(config), offline, mode);
}

/** Config fields a record does not depend on: rule settings apply after the cache; the folders are never read by processing. */
const NOT_READ_BY_PROCESSING: ReadonlySet<string> = new Set([
  "rules",
  "overrides",
  "root",
  "outDir",
  "themeDir",
  "themeDirs",
  "cacheDir",
] satisfies (keyof ResolvedConfig)[]);

/**
 * The config as far as processing a postmortem goes: without rule settings, without the folders
 * it never reads (the output, the theme, the cache), and with the folders it reads (content,
 * public, image roots) relative to the root (see the table).
 */
export function portableSettings(config: ResolvedConfig): object {
  const relative = (dir: string) => path.relative(config.root, dir).split(path.sep).join("/");
  // Left out by name, so that a field added to the config is covered until it is listed here.
  const rest = Object.fromEntries(Object.entries(config).filter(([name]) => !NOT_READ_BY_PROCESSING.has(name))) as Partial<ResolvedConfig>;
  return {
    ...rest,
    contentDir: relative(config.contentDir),
    publicDir: relative(config.publicDir),
    images: { ...config.images, roots: config.images.roots.map(relative) },
  };
}

/** The key of one postmortem: its settings, its path in the content folder and its text's content key (`contentKey`). */
export function recordKey(settings: string, relPath: string, textKey: string): string {
  return cacheKey("record", settings, relPath, textKey);
}

/**
 * A discovered file's `record` key, from its text's content key. A file too big to read is keyed
 * by its size: its empty text must not find an empty file's record.
 */
export function sourceKey(settings: string, source: Pick<SourceFile, "relPath" | "text" | "textKey" | "tooBig">): string {
  const textKey = source.tooBig === undefined ? (source.textKey ?? contentKey(source.text)) : contentKey(`\0too big: ${source.tooBig}`);
  return recordKey(settings, source.relPath, textKey);
}

/** Where a folder's write manifest is kept, by the output folder relative to the root. */
export function outputsManifestName(config: Pick<ResolvedConfig, "root" | "outDir">): string {
  return `${cacheKey("outputs", path.relative(config.root, config.outDir).split(path.sep).join("/")).slice(0, 16)}.json`;
}
