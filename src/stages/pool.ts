import path from "node:path";
import { pathToFileURL } from "node:url";
import pLimit from "p-limit";
import { Piscina } from "piscina";
import type { EntryPlace } from "../cache/entry.js";
import type { ResolvedConfig } from "../config.js";
import { addImageWork, noImageWork, type ImageStats } from "../images/stats.js";
import { ImageStore } from "../images/store.js";
import type { SourceFile } from "../types.js";
import type { BuildBudget } from "../util/budget.js";
import { workerEnv } from "../util/debug.js";
import { Tripwire } from "../util/tripwire.js";
import { vmClock, Watchdog } from "./clock.js";
import { MEMORY_PROBLEM, refusedRecord, sourceBytes, timeProblem } from "./process.js";
import { analyzeWithStore, type WorkerResult, type WorkerSetup, type WorkerTask } from "./worker.js";

/** The old generation of a worker's heap, in MB; `HINDSIGHT_WORKER_HEAP_MB` overrides it. */
const workerHeapMb = () => Number(process.env.HINDSIGHT_WORKER_HEAP_MB) || 128;

/** Tasks handed to the pool per thread at once: enough that a worker never waits for the next. */
const TASKS_PER_THREAD = 4;

const NO_IMAGE_WORK: ImageStats = Object.freeze(noImageWork());

/**
 * Analyzes postmortems in a pool of worker threads (piscina), calling `done` with each one's
 * index and result as it comes; gives the image work of them all. A postmortem whose work
 * outlasts `limits.fileMs` has its worker stopped (and replaced), and one too big for a
 * worker's heap is refused: each is an error at its file. When the pool has no worker left
 * (they could not start), the rest are processed in this thread, one at a time. Each of the
 * `count` files is asked of `sourceAt` as it is handed to a worker, and let go once processed.
 * Given a cache, the workers store the records they make, each under its key from `keyAt`.
 */
export async function analyzeInWorkers(
  count: number,
  sourceAt: (index: number) => SourceFile,
  config: ResolvedConfig,
  options: {
    mode: "build" | "check";
    offline: boolean;
    threads: number;
    budget: BuildBudget;
    cache?: { place: EntryPlace; holdsBodies: boolean; keyAt: (index: number) => string };
  },
  done: (index: number, result: WorkerResult) => void,
): Promise<ImageStats> {
  const stats: ImageStats = { ...NO_IMAGE_WORK };
  const watchdog = new Watchdog(count, config.limits.fileMs);
  const pool = new Piscina<WorkerTask, WorkerResult>({
    // The compiled worker, whether this module runs compiled (.build/) or from src/ in tests.
    filename: pathToFileURL(path.resolve(import.meta.dirname, "..", "..", ".build", "stages", "worker.js")).href,
    workerData: {
      config,
      mode: options.mode,
      offline: options.offline,
      budget: options.budget.state,
      phases: watchdog.phases.buffer as SharedArrayBuffer,
      cache: options.cache && { ...options.cache.place, holdsBodies: options.cache.holdsBodies },
    } satisfies WorkerSetup,
    minThreads: options.threads,
    maxThreads: options.threads,
    // A worker's heap is mostly garbage of postmortems already done: capped, it is collected
    // sooner (at 10,000 postmortems, 150 MB less at the peak, in the same time).
    resourceLimits: { maxOldGenerationSizeMb: workerHeapMb() },
    // The debug channel of the run that started them (its --debug, in-process too).
    env: workerEnv(),
  });
  const local = new ImageStore(config, { mode: options.mode, offline: options.offline, budget: options.budget });
  const inThread = pLimit(1);
  // Tripped when the pool has no worker left: every task waiting on the pool then fails at once.
  const dead = new Tripwire();
  const noWorkers = (message: string, cause?: unknown) => {
    dead.trip(Object.assign(new Error(message, { cause }), { code: "HINDSIGHT_NO_WORKERS" }));
  };
  pool.on("error", (error: unknown) => {
    if (pool.threads.length === 0) noWorkers("No worker thread could start", error);
  });
  const refused = (source: SourceFile, problem: Parameters<typeof refusedRecord>[2]) => ({
    result: { record: refusedRecord(source, config, problem), images: [], stats: NO_IMAGE_WORK },
    here: false,
  });
  const run = async (source: SourceFile, slot: number): Promise<{ result: WorkerResult; here: boolean }> => {
    // Refused at once, here: a file over the limit is not even copied into a worker's heap.
    if (sourceBytes(source) > config.limits.fileBytes) return { result: await analyzeWithStore(local, source, config), here: true };
    const signal = watchdog.watch(slot);
    try {
      return { result: await dead.guard(pool.run({ source, slot, key: options.cache?.keyAt(slot) }, { signal })), here: false };
    } catch (error) {
      if (watchdog.expired(slot)) return refused(source, timeProblem(config));
      const code = (error as NodeJS.ErrnoException).code;
      // A worker that died with a task emits no 'error': the pool may have none left now.
      if (pool.threads.length === 0 && pool.queueSize > 0) noWorkers("No worker thread left");
      // Not processed again in this thread, where the heap is not capped: one file could take the build down.
      if (code === "ERR_WORKER_OUT_OF_MEMORY") return refused(source, MEMORY_PROBLEM);
      if (code !== "HINDSIGHT_NO_WORKERS") throw error;
      return { result: await inThread(() => analyzeWithStore(local, source, config, vmClock(config.limits.fileMs))), here: true };
    } finally {
      watchdog.release(slot);
    }
  };
  try {
    // A few tasks per thread at a time are handed to the pool, each by a loop that hands out the
    // next when its task is done: each task in the pool holds a watchdog's timer and a place in
    // its queue, and each one waiting here a promise (100,000 at once were 100,000 of each).
    let next = 0;
    let failed = false;
    const handOut = async () => {
      while (next < count && !failed) {
        const index = next++;
        const { result, here } = await run(sourceAt(index), index);
        // Work done here is counted once, at the end: analyzeWithStore's counts are of a store shared by several.
        if (!here) addImageWork(stats, result.stats);
        done(index, result);
      }
    };
    const loops = Array.from({ length: Math.min(count, options.threads * TASKS_PER_THREAD) }, () =>
      handOut().catch((error: unknown) => {
        failed = true;
        throw error;
      }),
    );
    await Promise.all(loops);
  } finally {
    watchdog.close();
    await pool.destroy();
  }
  addImageWork(stats, local.stats);
  return stats;
}
