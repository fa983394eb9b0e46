import os from "node:os";
import pLimit from "p-limit";
import type { VFile } from "vfile";
import type { ResolvedConfig } from "./config.js";
import { cacheable, RecordCache } from "./cache/records.js";
import { ImageStore, type ImageStats } from "./images/store.js";
import { checkUniqueSlugs } from "./rules/index.js";
import { missingLinkProblems } from "./rules/links.js";
import { applyRuleSettings } from "./rules/settings.js";
import { vmClock } from "./stages/clock.js";
import { analyzeInWorkers } from "./stages/pool.js";
import { fileOf, type PostmortemRecord } from "./stages/process.js";
import { analyzeWithStore, type WorkerResult } from "./stages/worker.js";
import type { OutputFile, SourceFile } from "./types.js";
import { BuildBudget } from "./util/budget.js";
import { hashText } from "./util/hash.js";
import { addProblem } from "./util/messages.js";
import { codeId } from "./util/version.js";

/** In this thread, postmortems are processed concurrently only so that image downloads overlap. */
const RENDER_CONCURRENCY = 16;
const MAX_THREADS = 8;
/** Below this many postmortems to process, starting worker threads costs more than it saves. */
const WORKER_THRESHOLD = 64;

/**
 * State kept between builds in one process (`hindsight dev`): postmortems whose text and config
 * did not change are not processed again.
 */
export class BuildSession {
  readonly records = new Map<string, { key: string; record: PostmortemRecord }>();
  /** Image files of every record kept, by output path. */
  readonly images = new Map<string, OutputFile>();
  configKey: string | undefined;

  /** Forgets every postmortem: after a change any of them may depend on (a local image, the config). */
  invalidate(): void {
    this.records.clear();
    this.images.clear();
  }
}

/** Everything of the config and options that a processed postmortem depends on, as a cache key's part. */
export function configKeyOf(config: ResolvedConfig, offline: boolean, mode: "build" | "check" = "build"): string {
  // Rule settings apply to the final messages, after the cache: changing one reprocesses nothing.
  const { rules: _rules, overrides: _overrides, ...processing } = config;
  return JSON.stringify(mode === "build" ? [processing, offline] : [processing, offline, mode]);
}

/** How to analyze: the build's options that change what processing gives. */
export interface AnalyzeOptions {
  /** `check` downloads nothing and keeps no image bytes: remote images not in the download cache go unchecked. @default "build" */
  readonly mode?: "build" | "check" | undefined;
  readonly offline: boolean;
  readonly session?: BuildSession | undefined;
  /** Worker threads; 0 processes in this thread. @default one per core, for 64 postmortems or more */
  readonly workers?: number | undefined;
  /** Keep processed postmortems in `.cache/records/` and reuse them. */
  readonly cache: boolean;
  /** Everything of the config and options a record depends on, as a string. */
  readonly configKey: string;
  readonly onProgress?: ((done: number, total: number) => void) | undefined;
}

/** One postmortem as analyzed: where it is, its record, its messages and its cache key. */
export interface Entry {
  readonly source: Pick<SourceFile, "path" | "relPath">;
  readonly record: PostmortemRecord;
  /** The record's messages, and those of the rules across files. */
  readonly file: VFile;
  /** Its file, path and the config, hashed. */
  readonly key: string;
  /** True when processed now; false when the session or the cache had it. */
  readonly fresh: boolean;
}

/** What analyzing an archive gave: one entry per postmortem, in source order, and the images they use. */
export interface Analysis {
  readonly entries: readonly Entry[];
  /** Image files by output path. */
  readonly images: ReadonlyMap<string, OutputFile>;
  readonly stats: ImageStats;
}

/**
 * The front half that `check`, `build` and `dev` share: every postmortem processed (parse,
 * per-file rules, render; in worker threads, within the budgets) or taken from the session or
 * the cache, then the rules across files. `sources` are let go as they are processed.
 */
export async function analyze(config: ResolvedConfig, sources: SourceFile[], options: AnalyzeOptions): Promise<Analysis> {
  const processed = await analyzeFiles(sources, config, options);
  // The texts are in the records now: keep only where each file is, so that memory stays flat.
  const entries: Entry[] = sources.map(({ path, relPath }, i) => {
    const record = processed.records[i]!;
    return { source: { path, relPath }, record, file: fileOf(path, record), key: processed.keys[i]!, fresh: processed.fresh.has(i) };
  });
  sources.length = 0;
  checkAcrossFiles(entries);
  // Last, over every message of every file: the one place where rule settings apply.
  applyRuleSettings(
    entries.map((entry) => ({ file: entry.file, relPath: entry.source.relPath })),
    config,
  );
  return { entries, images: processed.images, stats: processed.stats };
}

/** The rules that look at more than one file: slugs used twice, links to postmortems that do not exist. */
function checkAcrossFiles(entries: readonly Entry[]): void {
  const paths = new Set(entries.map((entry) => entry.source.relPath));
  for (const { record, file } of entries) {
    for (const problem of missingLinkProblems(record.links, paths)) addProblem(file, problem);
  }
  checkUniqueSlugs(entries.map(({ record, file }) => ({ slug: record.meta.slug, relPath: record.relPath, file, slugPlace: record.slugPlace })));
}

/** What processing every postmortem gave: records in source order, image files, image work. */
interface Processed {
  readonly records: readonly PostmortemRecord[];
  readonly images: ReadonlyMap<string, OutputFile>;
  readonly stats: ImageStats;
  /** The records made now, by index; the others came from the session or the cache. */
  readonly fresh: ReadonlySet<number>;
  readonly keys: readonly string[];
}

/**
 * Analyzes every postmortem: those the session or the cache already has are reused; the others
 * run in a pool of worker threads (one per core), or in this thread when there are only a few.
 */
async function analyzeFiles(sources: readonly SourceFile[], config: ResolvedConfig, options: AnalyzeOptions): Promise<Processed> {
  const { session, onProgress, mode = "build" } = options;
  const stats: ImageStats = { embedded: 0, downloaded: 0, cached: 0, local: 0, failed: 0 };
  const images = session?.images ?? new Map<string, OutputFile>();
  const records: PostmortemRecord[] = new Array(sources.length);
  const cache = options.cache ? new RecordCache(config.cacheDir, codeId(), options.configKey) : undefined;
  // A file too big to read is keyed by its size: its empty text must not find an empty file's record.
  const texts = sources.map((source) => (source.tooBig === undefined ? source.text : `\0too big: ${source.tooBig}`));
  const keys = sources.map((source, i) => (cache ? cache.keyOf(source.relPath, texts[i]!) : hashText(`${options.configKey}\0${source.relPath}\0${texts[i]}`)));
  const pending: number[] = [];
  const wanted: number[] = [];
  sources.forEach((source, i) => {
    const memo = session?.records.get(source.relPath);
    if (memo && memo.key === keys[i]) records[i] = memo.record;
    else (cache ? wanted : pending).push(i);
  });
  // Each entry is parsed and let go as it is read: all at once they are 100 MB of JSON.
  let n = 0;
  for await (const text of cache?.read(wanted.map((i) => keys[i]!)) ?? []) {
    const i = wanted[n++]!;
    const cached = text === undefined ? undefined : cache!.get(keys[i]!, text);
    if (!cached) {
      pending.push(i);
      continue;
    }
    records[i] = cached.record;
    for (const file of cached.images) images.set(file.path, file);
    session?.records.set(sources[i]!.relPath, { key: keys[i]!, record: cached.record });
  }
  const budget = new BuildBudget(config.limits);
  // Each thread loads the whole Markdown stack: a few are plenty, whatever the host claims to have.
  const threads = options.workers ?? (pending.length >= WORKER_THRESHOLD ? Math.min(os.availableParallelism(), MAX_THREADS) : 0);
  let done = 0;
  const keep = (i: number, result: WorkerResult) => {
    records[i] = result.record;
    for (const file of result.images) images.set(file.path, file);
    // A record that cannot be kept replaces the one kept before: the session holds what the last build used, or nothing.
    if (cacheable(result.record)) session?.records.set(sources[i]!.relPath, { key: keys[i]!, record: result.record });
    else session?.records.delete(sources[i]!.relPath);
    cache?.set(keys[i]!, result.record, result.images);
    onProgress?.(++done, pending.length);
  };
  if (threads > 0 && pending.length > 0) {
    const work = await analyzeInWorkers(
      pending.map((i) => sources[i]!),
      config,
      { mode, offline: options.offline, threads, budget },
      (n, result) => keep(pending[n]!, result),
    );
    for (const key of Object.keys(stats) as (keyof ImageStats)[]) stats[key] += work[key];
  } else {
    const store = new ImageStore(config, { mode, offline: options.offline, budget });
    const limit = pLimit(RENDER_CONCURRENCY);
    await Promise.all(pending.map((i) => limit(async () => keep(i, await analyzeWithStore(store, sources[i]!, config, vmClock(config.limits.fileMs))))));
    Object.assign(stats, store.stats);
  }
  // In a dev session, records reused from memory are not marked used: pruning would drop them.
  if (!session) cache?.prune();
  return { records, images, stats, keys, fresh: new Set(pending) };
}
