// Processing every postmortem of a build: each taken from the dev session or the record cache
// when it has it, the others made in worker threads (or in this thread when they are few) and
// stored. The front half's entry point, `analyze`, is in analyze.ts.
import os from "node:os";
import pLimit from "p-limit";
import type { AnalyzeOptions } from "./analyze.js";
import { sourceKey } from "./cache/keys.js";
import { cacheable, RecordCache } from "./cache/records.js";
import type { BuildSession } from "./cache/session.js";
import type { ResolvedConfig } from "./config.js";
import { InternalError, IOError, UsageError } from "./errors.js";
import { addImageWork, noImageWork, type ImageStats } from "./images/stats.js";
import { vmClock } from "./stages/clock.js";
import { readUnread } from "./stages/discover.js";
import { SharedStrings } from "./stages/shared-strings.js";
import { storedRecord, type PostmortemRecord } from "./stages/record.js";
import type { WorkerResult } from "./stages/worker.js";
import type { Output, SourceFile } from "./types.js";
import { BuildBudget } from "./util/budget.js";

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

/** Ends the build for something gone from `.cache/` that it left there; a dev session forgets its records (see `readBack`). */
export function gone(what: string, session: BuildSession | undefined): never {
  session?.invalidate();
  throw new IOError(`The cached ${what} changed during the build (another build in .cache/?): build again`);
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
export interface Processed {
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
export async function analyzeFiles(sources: SourceFile[], config: ResolvedConfig, options: AnalyzeOptions, cache: RecordCache | undefined): Promise<Processed> {
  const { session, onProgress, mode = "build" } = options;
  // Read before anything is done, so that a wrong value is said at once, cache or not.
  const workers = options.workers ?? workersFromEnv();
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
  const shared = new SharedStrings();
  const reuse = (item: Item, cached: PostmortemRecord) => {
    const record = shared.record(cached);
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
  const threads = workers ?? (pending.length >= WORKER_THRESHOLD ? Math.min(os.availableParallelism(), MAX_THREADS) : 0);
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
    const record = shared.record(!stored ? result.record : storedRecord(result.record, held ? contents : undefined));
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
