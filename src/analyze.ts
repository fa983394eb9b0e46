import os from "node:os";
import pLimit from "p-limit";
import type { VFile } from "vfile";
import type { ResolvedConfig } from "./config.js";
import { sourceKey } from "./cache/keys.js";
import { cacheable, RecordCache } from "./cache/records.js";
import type { BuildSession } from "./cache/session.js";
import { InternalError, IOError, UsageError } from "./errors.js";
import { addImageWork, noImageWork, type ImageStats } from "./images/stats.js";
import { checkUniqueSlugs } from "./rules/index.js";
import { missingLinkProblems } from "./rules/links.js";
import { applyRuleSettings } from "./rules/settings.js";
import { vmClock } from "./stages/clock.js";
import { readUnread } from "./stages/discover.js";
import { fileOf, storedRecord, type BodyContents, type PostmortemRecord } from "./stages/record.js";
import type { DocTerms } from "./search/terms.js";
import type { WorkerResult } from "./stages/worker.js";
import type { Output, SourceFile } from "./types.js";
import { BuildBudget } from "./util/budget.js";
import { addProblem } from "./util/messages.js";

/** In this thread, postmortems are processed concurrently only so that image downloads overlap. */
const RENDER_CONCURRENCY = 16;
const MAX_THREADS = 8;
/**
 * Below this many postmortems to process, starting worker threads costs more than it saves: each
 * imports the Markdown stack and warms up on its own. Measured on 2 cores (`check`, no cache):
 * the same time as this thread at 250 postmortems for 37 % more CPU, 12 % faster at 500 and
 * 32 % at 1,000; slower at 242 short ones (a real archive).
 */
const WORKER_THRESHOLD = 256;
/**
 * Characters of freshly made bodies held in memory, in MB (`HINDSIGHT_BODY_MEMORY_MB`): past
 * this, a body stored in the cache is let go and read back when its page and its search fragment
 * are made. A body not stored (no cache, or a record not kept) is always held. None by default:
 * measured at 10,000 postmortems (2026-12-02, three cold builds each), holding them all (128)
 * took 603-648 MB at the peak; 32, 527-549 MB; none, 475-495 MB, for about 0.8 s of reading
 * back (20,000 reads of 30-40 µs), within the noise of a 43 s build.
 */
const bodyMemoryMb = () => Number(process.env.HINDSIGHT_BODY_MEMORY_MB ?? 0);

/**
 * `HINDSIGHT_WORKERS`: worker threads for any number of postmortems (0: none), for a machine whose
 * cores Node miscounts (a container's CPU quota) or a run that wants the pool whatever the count.
 */
function workersFromEnv(): number | undefined {
  const value = process.env.HINDSIGHT_WORKERS;
  if (value === undefined || value === "") return undefined;
  if (!/^\d+$/.test(value) || Number(value) > MAX_THREADS) {
    throw new UsageError(`HINDSIGHT_WORKERS must be a whole number from 0 to ${MAX_THREADS}, not ${JSON.stringify(value)}`);
  }
  return Number(value);
}

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
    // Read before anything is done, so that a wrong value is said at once, cache or not.
    processed = await analyzeFiles(sources, config, { ...options, workers: options.workers ?? workersFromEnv() }, cache);
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

/** Ends the build for something gone from `.cache/` that it left there; a dev session forgets its records (see `readBack`). */
function gone(what: string, session: BuildSession | undefined): never {
  session?.invalidate();
  throw new IOError(`The cached ${what} changed during the build (another build in .cache/?): build again`);
}

/** The rules that look at more than one file: slugs used twice, links to postmortems that do not exist. */
function checkAcrossFiles(entries: readonly Entry[]): void {
  const paths = new Set(entries.map((entry) => entry.source.relPath));
  for (const { record, file } of entries) {
    for (const problem of missingLinkProblems(record.links, paths)) addProblem(file, problem);
  }
  checkUniqueSlugs(entries.map(({ record, file }) => ({ slug: record.meta.slug, relPath: record.relPath, file, slugPlace: record.slugPlace })));
}

/** One postmortem on its way through `analyzeFiles`: its record once reused or made. */
interface Item {
  readonly place: Pick<SourceFile, "path" | "relPath">;
  /** The file as read, until it is processed or found in the session or the cache: 100,000 texts are 500 MB. */
  source: SourceFile | undefined;
  /** Made again if the file, unread by discovery, is read to be processed and changed meanwhile. */
  key: string;
  record: PostmortemRecord | undefined;
  /** True when processed now; false when the session or the cache had it. */
  fresh: boolean;
}

/**
 * The file of an item to process, read now if discovery did not keep its text (it keyed it, or
 * its stamp was unchanged): as it is handed to a worker, so that only the files in progress are
 * in memory. Its key is made again from the text read.
 */
function sourceOf(item: Item, settings: string, maxBytes: number): SourceFile {
  if (!item.source) throw new InternalError(`${item.place.relPath} is to be processed, and its text was let go`);
  if (item.source.unread) {
    item.source = readUnread(item.source, maxBytes);
    item.key = sourceKey(settings, item.source);
  }
  return item.source;
}

/** The item of a task the pool answered for. */
function pendingItem(pending: readonly Item[], n: number): Item {
  const item = pending[n];
  if (!item) throw new InternalError(`the worker pool asked about task ${n} of ${pending.length}`);
  return item;
}

/** What processing every postmortem gave: one item each, in source order; image files; image work. */
interface Processed {
  readonly items: readonly Item[];
  /** Where bodies left on disk are read back from. */
  readonly cache: RecordCache | undefined;
  readonly images: ReadonlyMap<string, Output>;
  readonly stats: ImageStats;
}

/**
 * Analyzes every postmortem: those the session or the cache already has are reused; the others
 * run in a pool of worker threads (one per core), or in this thread when there are only a few.
 */
async function analyzeFiles(sources: SourceFile[], config: ResolvedConfig, options: AnalyzeOptions, cache: RecordCache | undefined): Promise<Processed> {
  const { session, onProgress, mode = "build" } = options;
  const stats = noImageWork();
  const images = session?.images ?? new Map<string, Output>();
  session?.use(options.settings);
  const lost = (what: string) => gone(what, session);
  const items: Item[] = sources.map((source) => {
    const key = sourceKey(options.settings, source);
    const memo = session?.records.get(source.relPath);
    const record = memo?.key === key ? memo.record : undefined;
    return { place: { path: source.path, relPath: source.relPath }, source: record ? undefined : source, key, record, fresh: false };
  });
  // The items hold the texts they still need; the caller's list lets go of them all.
  sources.length = 0;
  const reuse = (item: Item, record: PostmortemRecord) => {
    item.record = record;
    item.source = undefined;
    session?.records.set(item.place.relPath, { key: item.key, record });
  };
  const wanted = items.filter((item) => !item.record);
  const pending = cache ? [] : wanted;
  if (cache) {
    // Each entry is parsed and let go as it is read: all at once they are 100 MB of JSON.
    let n = 0;
    for await (const head of cache.read(wanted.map((item) => item.key))) {
      const item = wanted[n++];
      if (!item) throw new InternalError("the record cache read more entries than asked for");
      const cached = head === undefined ? undefined : cache.get(item.key, head, item.place.relPath);
      if (!cached) {
        pending.push(item);
        continue;
      }
      reuse(item, cached.record);
      // Their bytes read back when written: a build that keeps the previous folder's copy reads them no more.
      for (const file of cached.images) images.set(file.path, cache.imageFile(file, lost));
    }
  }
  const budget = new BuildBudget(config.limits);
  // Each thread loads the whole Markdown stack: a few are plenty, whatever the host claims to have.
  const threads = options.workers ?? (pending.length >= WORKER_THRESHOLD ? Math.min(os.availableParallelism(), MAX_THREADS) : 0);
  let done = 0;
  let bodyRoom = bodyMemoryMb() * 1024 * 1024;
  const keep = (item: Item, result: WorkerResult) => {
    const { contents } = result.record;
    const size = contents ? contents.html.length + contents.text.length : 0;
    // A worker stores the records it makes; those made here are stored here.
    const stored = cache !== undefined && (result.entry ? cache.adopt(item.key, result.entry.line) : cache.set(item.key, result.record, result.images));
    // Held while there is room; past it, a body stored in the cache is read back from there when
    // needed. Its search terms, needed once, always are.
    const held = size <= bodyRoom;
    if (held) bodyRoom -= size;
    const record = !stored ? result.record : storedRecord(result.record, held ? contents : undefined);
    item.record = record;
    item.fresh = true;
    // Nor are its images' bytes: read back from the cache when written (at 100,000 postmortems, 110 MB).
    for (const file of result.images) images.set(file.path, stored ? cache.imageFile(file, lost) : file);
    // A record that cannot be kept replaces the one kept before: the session holds what the last build used, or nothing.
    item.source = undefined;
    if (cacheable(record)) session?.records.set(item.place.relPath, { key: item.key, record });
    else session?.records.delete(item.place.relPath);
    onProgress?.(++done, pending.length);
  };
  // The Markdown stack, the images and the pool are loaded only when a postmortem is to be
  // processed: a warm build takes every record from the cache and spends no 0.5 s importing them.
  if (threads > 0 && pending.length > 0) {
    const { analyzeInWorkers } = await import("./stages/pool.js");
    const work = await analyzeInWorkers(
      pending.length,
      (n) => sourceOf(pendingItem(pending, n), options.settings, config.limits.fileBytes),
      config,
      {
        mode,
        offline: options.offline,
        threads,
        budget,
        cache: cache && { place: cache.place, holdsBodies: bodyRoom > 0, keyAt: (n) => pendingItem(pending, n).key },
      },
      (n, result) => {
        keep(pendingItem(pending, n), result);
      },
    );
    addImageWork(stats, work);
  } else if (pending.length > 0) {
    const [{ ImageStore }, { analyzeWithStore }] = await Promise.all([import("./images/store.js"), import("./stages/worker.js")]);
    const store = new ImageStore(config, { mode, offline: options.offline, budget });
    const limit = pLimit(RENDER_CONCURRENCY);
    await Promise.all(
      pending.map((item) =>
        limit(async () => {
          keep(item, await analyzeWithStore(store, sourceOf(item, options.settings, config.limits.fileBytes), config, vmClock(config.limits.fileMs)));
        }),
      ),
    );
    Object.assign(stats, store.stats);
  }
  return { items, images, stats, cache };
}
