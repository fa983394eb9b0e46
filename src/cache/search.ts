import fs from "node:fs";
import path from "node:path";
import type { ResolvedConfig } from "../config.js";
import { HindsightError } from "../errors.js";
import { buildSearchIndex, type SearchIndex, type SearchMeta } from "../search/build-index.js";
import { contentsOf, type LazyOutputFile, type Output, type RenderedPostmortem } from "../types.js";
import { writeFileAtomic } from "../util/atomic.js";
import { debug } from "../util/debug.js";
import { codeId } from "../util/version.js";
import { cacheKey, contentKey } from "./keys.js";

/** What `.cache/search/<key>.json` keeps of an index: its meta, and each file's path and content key. */
interface Saved {
  readonly key: string;
  readonly meta: SearchMeta;
  readonly files: readonly (readonly [path: string, contentKey: string])[];
}

/** Whether a parsed `.cache/search/` file is the one of this key, as far as the build relies on it. */
function isSaved(value: unknown, key: string): value is Saved {
  if (typeof value !== "object" || value === null) return false;
  const saved = value as Record<string, unknown>;
  const meta = saved.meta as Record<string, unknown> | null | undefined;
  return saved.key === key && Array.isArray(saved.files) && typeof meta?.base === "string";
}

/**
 * The search index, or, when its inputs are those of a build that made it before (its `search`
 * key, see keys.ts), its meta from `.cache/search/` and its files as lazy outputs: the writer
 * takes them from the previous build, and makes them only if it has to.
 */
export function cachedSearchIndex(postmortems: readonly RenderedPostmortem[], config: ResolvedConfig, cache: boolean): SearchIndex {
  if (!cache || postmortems.some((pm) => pm.key === undefined)) return buildSearchIndex(postmortems, config);
  // The code id covers the index builder and the client shipped in the index's folder.
  const key = cacheKey(
    "search",
    codeId(),
    config.severities,
    config.taxonomies,
    config.language,
    config.search,
    postmortems.map((pm) => [pm.key, pm.meta.slug]),
  );
  const file = path.join(config.cacheDir, "search", `${key.slice(0, 32)}.json`);
  let built: Map<string, Output> | undefined;
  const build = () => (built ??= new Map(buildSearchIndex(postmortems, config).files.map((f) => [f.path, f])));
  try {
    const saved: unknown = JSON.parse(fs.readFileSync(file, "utf8"));
    if (isSaved(saved, key)) {
      // Keyed by their bytes, as files made now are: an unchanged fragment is the same file whatever else changed.
      const files: LazyOutputFile[] = saved.files.map(([outputPath, fileKey]) => ({
        path: outputPath,
        key: fileKey,
        render: () => {
          const found = build().get(outputPath);
          if (!found) throw new HindsightError(`The search index cache in ${path.dirname(file)} does not match this build: delete it and build again`);
          return contentsOf(found);
        },
      }));
      return { files, meta: saved.meta };
    }
  } catch (error) {
    debug("cache", "no search index cached for these inputs, or a damaged one", error);
  }
  const index = buildSearchIndex(postmortems, config);
  try {
    const saved: Saved = { key, meta: index.meta, files: index.files.map((f) => [f.path, "key" in f ? f.key : contentKey(f.contents)]) };
    writeFileAtomic(file, JSON.stringify(saved));
  } catch (error) {
    debug("cache", "the search index could not be cached (the next build is slower)", error);
  }
  return index;
}
