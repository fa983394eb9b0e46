import type { VFile } from "vfile";
import { analyzeFiles, gone, type Processed } from "./analyze-files.js";
import type { ResolvedConfig } from "./config.js";
import { RecordCache } from "./cache/records.js";
import type { BuildSession } from "./cache/session.js";
import { InternalError } from "./errors.js";
import type { ImageStats } from "./images/stats.js";
import { checkUniqueSlugs } from "./rules/index.js";
import { missingLinkProblems } from "./rules/links.js";
import { applyRuleSettings } from "./rules/settings.js";
import { fileOf, type BodyContents, type PostmortemRecord } from "./stages/record.js";
import type { DocTerms } from "./search/terms.js";
import type { Output, SourceFile } from "./types.js";
import { addProblem } from "./util/messages.js";

/** How to analyze: the build's options that change what processing gives. */
export interface AnalyzeOptions {
  /** `check` downloads nothing and keeps no image bytes: remote images not in the download cache go unchecked. @default "build" */
  readonly mode?: "build" | "check" | undefined;
  readonly offline: boolean;
  /** Records kept between builds in one process (dev); they must have been made with these `settings`. */
  readonly session?: BuildSession | undefined;
  /** Worker threads; 0 processes in this thread. @default one per core, for 256 postmortems or more (`WORKER_THRESHOLD`) */
  readonly workers?: number | undefined;
  /** Keep processed postmortems in `.cache/records/` and reuse them. */
  readonly cache: boolean;
  /** Everything of the config and options a record depends on: `settingsKey` (see src/cache/keys.ts). */
  readonly settings: string;
  readonly onProgress?: ((done: number, total: number) => void) | undefined;
}

/** One postmortem as analyzed: where it is, its record, its messages and its cache key. */
export interface Entry {
  readonly source: Pick<SourceFile, "path" | "relPath">;
  readonly record: PostmortemRecord;
  /** The record's messages, and those of the rules across files. */
  readonly file: VFile;
  /** Its `record` key (see src/cache/keys.ts): its settings, path and text. */
  readonly key: string;
  /** True when processed now; false when the session or the cache had it. */
  readonly fresh: boolean;
  /** The body's contents: from memory, or read back from the cache. Only for a record with a body. */
  readonly contents: () => BodyContents;
  /** Its search terms: from memory, or read back from the cache. Only for a record with a body. */
  readonly terms: () => DocTerms;
}

/** What analyzing an archive gave: one entry per postmortem, in source order, and the images they use. */
export interface Analysis {
  readonly entries: readonly Entry[];
  /** Image files by output path. */
  readonly images: ReadonlyMap<string, Output>;
  readonly stats: ImageStats;
}

/**
 * The front half that `check`, `build` and `dev` share: every postmortem processed (parse,
 * per-file rules, render; in worker threads, within the budgets) or taken from the session or
 * the cache, then the rules across files. `sources` are let go as they are processed.
 */
export async function analyze(config: ResolvedConfig, sources: SourceFile[], options: AnalyzeOptions): Promise<Analysis> {
  const { session, mode = "build" } = options;
  // A dev session's rebuilds leave the pack of records (see cache/pack.ts) as the last command made it.
  const cache = options.cache ? new RecordCache(config.cacheDir, config.root, mode, { writePack: !session }) : undefined;
  let processed: Processed;
  try {
    processed = await analyzeFiles(sources, config, options, cache);
  } catch (error) {
    cache?.discard();
    throw error;
  }
  // In a dev session, records reused from memory are not marked used: pruning would drop them.
  if (!session) cache?.finish();
  // The texts are in the records now: keep only where each file is, so that memory stays flat.
  const entries: Entry[] = processed.items.map(({ place: { path, relPath }, key, record, fresh }) => {
    if (!record) throw new InternalError(`${relPath} was neither processed nor reused`);
    return {
      source: { path, relPath },
      record,
      file: fileOf(path, record),
      key,
      fresh,
      contents: () => record.contents ?? readBack(record, relPath, session, (hash) => processed.cache?.contents(key, hash)),
      terms: () => record.terms ?? readBack(record, relPath, session, (hash) => processed.cache?.terms(key, hash)),
    };
  });
  checkAcrossFiles(entries);
  // Last, over every message of every file: the one place where rule settings apply.
  applyRuleSettings(
    entries.map((entry) => ({ file: entry.file, relPath: entry.source.relPath })),
    config,
  );
  return { entries, images: processed.images, stats: processed.stats };
}

/**
 * A part of a record's body not held in memory (its contents, its search terms), read back from
 * its cache entry by the body's hash. An entry that is gone or changed since this build read it
 * (another build pruned or refreshed it, `.cache/` deleted) ends the build. A dev session then
 * forgets its records, whose bodies may all be gone: the next rebuild processes them again
 * rather than failing the same way.
 */
function readBack<T>(record: PostmortemRecord, relPath: string, session: BuildSession | undefined, read: (hash: string) => T | undefined): T {
  if (!record.body) throw new InternalError(`the body of ${relPath} was asked for, and it has none`);
  return read(record.body.hash) ?? gone(`body of ${relPath}`, session);
}

/** The rules that look at more than one file: slugs used twice, links to postmortems that do not exist. */
function checkAcrossFiles(entries: readonly Entry[]): void {
  const paths = new Set(entries.map((entry) => entry.source.relPath));
  for (const { record, file } of entries) {
    for (const problem of missingLinkProblems(record.links, paths)) addProblem(file, problem);
  }
  checkUniqueSlugs(entries.map(({ record, file }) => ({ slug: record.meta.slug, relPath: record.relPath, file, slugPlace: record.slugPlace })));
}
