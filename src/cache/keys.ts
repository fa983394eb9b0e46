import { createHash } from "node:crypto";
import path from "node:path";
import type { ResolvedConfig } from "../config.js";

/**
 * Every key of every cache, in one place. One hash (SHA-256, hex) through one function,
 * `cacheKey`; each kind below says what its key covers, so that a change to anything listed
 * misses and nothing else does. Keys hold no absolute path and no file time: a `.cache/`
 * restored at another path, with every file's time new (a CI checkout), stays warm.
 *
 * | kind        | covers                                                                      | kept in                                   |
 * | ----------- | --------------------------------------------------------------------------- | ----------------------------------------- |
 * | `settings`  | the record schema, Hindsight's code (`codeId`), the config as processing reads it (`portableSettings`); offline; build or check | part of `record`, `site` |
 * | `record`    | `settings`, the file's path in the content folder, its text                 | `.cache/records/`, `BuildSession` (dev)   |
 * | `page`      | `record` and the body's HTML with links resolved                           | page and search keys                      |
 * | `site`      | code, theme (`theme`), `settings`, the archive's shape (counts, term ids)   | lazy pages' keys (writer, dev)            |
 * | `theme`     | each layout's name and bytes, the asset names                               | part of `site`                            |
 * | `search`    | code, severities, taxonomies, language, search options, each `page` + slug  | `.cache/search/`                          |
 * | `content`   | a file's bytes                                                               | write manifest, dev's served files, downloaded image blobs |
 * | `outputs`   | the output folder, relative to the root                                      | `.cache/outputs/<key>.json` (the manifest's name) |
 * | `public`    | `public/`: each file's path, size and time                                   | write manifest (copy public/ again or not) |
 *
 * Entries also check themselves when read (a record's local image files by `content` hash, a
 * blob by its name's hash), so deleting or damaging `.cache/` is always safe.
 */
export type KeyKind = "settings" | "record" | "page" | "site" | "theme" | "search" | "content" | "outputs" | "public";

/** One part of a key: text and bytes are hashed as they are, anything else as its JSON. */
export type KeyPart = string | Uint8Array | number | boolean | null | undefined | object;

/** Bumped whenever a cached record's shape or meaning changes. */
export const RECORD_SCHEMA = 4;

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
      const json = JSON.stringify(part) ?? "undefined";
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

/**
 * The config as far as processing a postmortem goes: without rule settings, without the folders
 * it never reads (the output, the theme, the cache), and with the folders it reads (content,
 * public, image roots) relative to the root (see the table).
 */
export function portableSettings(config: ResolvedConfig): object {
  const { rules: _rules, overrides: _overrides, root, outDir: _outDir, themeDir: _themeDir, themeDirs: _themeDirs, cacheDir: _cacheDir, ...rest } = config;
  const relative = (dir: string) => path.relative(root, dir).split(path.sep).join("/");
  return {
    ...rest,
    contentDir: relative(rest.contentDir),
    publicDir: relative(rest.publicDir),
    images: { ...rest.images, roots: rest.images.roots.map(relative) },
  };
}

/** The key of one postmortem: its settings, its path in the content folder and its text. */
export function recordKey(settings: string, relPath: string, text: string): string {
  return cacheKey("record", settings, relPath, text);
}

/** Where a folder's write manifest is kept, by the output folder relative to the root. */
export function outputsManifestName(config: Pick<ResolvedConfig, "root" | "outDir">): string {
  return `${cacheKey("outputs", path.relative(config.root, config.outDir).split(path.sep).join("/")).slice(0, 16)}.json`;
}
