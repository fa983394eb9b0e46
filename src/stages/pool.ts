import path from "node:path";
import { pathToFileURL } from "node:url";
import pLimit from "p-limit";
import { Piscina } from "piscina";
import type { ResolvedConfig } from "../config.js";
import { ImageStore, type ImageStats } from "../images/store.js";
import type { SourceFile } from "../types.js";
import { processWith, type WorkerResult, type WorkerSetup } from "./worker.js";

/** The old generation of a worker's heap, in MB; `HINDSIGHT_WORKER_HEAP_MB` overrides it. */
const workerHeapMb = () => Number(process.env.HINDSIGHT_WORKER_HEAP_MB) || 128;

/**
 * Processes postmortems in a pool of worker threads (piscina), calling `done` with each one's
 * index and result as it comes; gives the image work of them all. A postmortem too big for a
 * worker's heap is processed again in this thread, where the heap is not capped; so is every
 * one left when the pool has no worker left (piscina would wait forever). Those run one at a
 * time.
 */
export async function processInWorkers(
  sources: readonly SourceFile[],
  config: ResolvedConfig,
  options: { offline: boolean; threads: number },
  done: (index: number, result: WorkerResult) => void,
): Promise<ImageStats> {
  const stats: ImageStats = { embedded: 0, downloaded: 0, cached: 0, local: 0, failed: 0 };
  const pool = new Piscina<SourceFile, WorkerResult>({
    // The compiled worker, whether this module runs compiled (.build/) or from src/ in tests.
    filename: pathToFileURL(path.resolve(import.meta.dirname, "..", "..", ".build", "stages", "worker.js")).href,
    workerData: { config, offline: options.offline } satisfies WorkerSetup,
    minThreads: options.threads,
    maxThreads: options.threads,
    // A worker's heap is mostly garbage of postmortems already done: capped, it is collected
    // sooner (at 10,000 postmortems, 150 MB less at the peak, in the same time).
    resourceLimits: { maxOldGenerationSizeMb: workerHeapMb() },
  });
  const local = new ImageStore(config, { mode: "build", offline: options.offline });
  const inThread = pLimit(1);
  let fail!: (error: unknown) => void;
  const dead = new Promise<never>((_, reject) => (fail = reject));
  dead.catch(() => undefined);
  const noWorkers = (message: string, cause?: unknown) => fail(Object.assign(new Error(message, { cause }), { code: "HINDSIGHT_NO_WORKERS" }));
  pool.on("error", (error: unknown) => {
    if (pool.threads.length === 0) noWorkers("No worker thread could start", error);
  });
  const run = async (source: SourceFile): Promise<{ result: WorkerResult; here: boolean }> => {
    try {
      return { result: await Promise.race([pool.run(source), dead]), here: false };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "ERR_WORKER_OUT_OF_MEMORY" && code !== "HINDSIGHT_NO_WORKERS") throw error;
      // A worker that died with a task emits no 'error': the pool may have none left now.
      if (pool.threads.length === 0 && pool.queueSize > 0) noWorkers("No worker thread left");
      return { result: await inThread(() => processWith(local, source, config)), here: true };
    }
  };
  try {
    await Promise.all(
      sources.map(async (source, index) => {
        const { result, here } = await run(source);
        // Work done here is counted once, at the end: processWith's counts are of a store shared by several.
        if (!here) for (const key of Object.keys(stats) as (keyof ImageStats)[]) stats[key] += result.stats[key];
        done(index, result);
      }),
    );
  } finally {
    await pool.destroy();
  }
  for (const key of Object.keys(stats) as (keyof ImageStats)[]) stats[key] += local.stats[key];
  return stats;
}
