// A worker thread of the build's pool (piscina): processes postmortems, one at a time, with
// its own frozen unified processors and image store. Only plain data crosses the thread line.
import { workerData } from "node:worker_threads";
import { writeEntry, type EntryPlace } from "../cache/entry.js";
import type { ResolvedConfig } from "../config.js";
import { InternalError } from "../errors.js";
import type { ImageStats } from "../images/stats.js";
import { ImageStore } from "../images/store.js";
import type { OutputFile, SourceFile } from "../types.js";
import { BuildBudget, type BudgetState } from "../util/budget.js";
import { sharedClock, UNTIMED, type FileClock } from "./clock.js";
import { analyzeFile } from "./process.js";
import { storedRecord, type PostmortemRecord } from "./record.js";

/** What each worker is given once. */
export interface WorkerSetup {
  readonly config: ResolvedConfig;
  /** See `ImageStoreOptions.mode`. */
  readonly mode: "build" | "check";
  readonly offline: boolean;
  /** The build's budgets, shared by every thread. */
  readonly budget: BudgetState;
  /** The watchdog's slots (see `Watchdog`): one per task. */
  readonly phases: SharedArrayBuffer;
  /**
   * The record cache, when the build has one: each worker stores the records it makes, and sends
   * a stored record's body and terms back only when the main thread holds bodies (it reads them
   * back from the cache otherwise: at 100,000 postmortems, sending them made 130 MB more at the peak).
   */
  readonly cache?: EntryPlace & { readonly holdsBodies: boolean };
}

/** One task of the pool: a postmortem and its slot in the watchdog's array. */
export interface WorkerTask {
  readonly source: SourceFile;
  readonly slot: number;
  /** The record's key in the cache, when the worker is to store it there. */
  readonly key?: string;
}

/** A processed postmortem, with the bytes of its images and what storing them took. */
export interface WorkerResult {
  readonly record: PostmortemRecord;
  readonly images: readonly OutputFile[];
  readonly stats: ImageStats;
  /** When the worker stored the record in the cache: the entry's first line, or undefined when it was not kept (see `writeEntry`). */
  readonly entry?: { readonly line: string | undefined };
}

const setup = workerData as WorkerSetup | undefined;
let store: ImageStore | undefined;
let phases: Int32Array | undefined;

/** Analyzes one postmortem (the pool's task). */
export default async function runTask(task: WorkerTask): Promise<WorkerResult> {
  if (!setup) throw new InternalError("the build worker was started without its setup");
  store ??= new ImageStore(setup.config, { mode: setup.mode, offline: setup.offline, budget: new BuildBudget(setup.config.limits, setup.budget) });
  phases ??= new Int32Array(setup.phases);
  const result = await analyzeWithStore(store, task.source, setup.config, sharedClock(phases, task.slot));
  if (!setup.cache || task.key === undefined) return result;
  // Outside the clock: the disk's time is not the file's.
  const line = writeEntry(setup.cache, task.key, result.record, result.images);
  const record = line !== undefined && !setup.cache.holdsBodies ? storedRecord(result.record, undefined) : result.record;
  return { ...result, record, entry: { line } };
}

/** Analyzes one postmortem with an image store, reporting the images it used and the store's work. */
export async function analyzeWithStore(images: ImageStore, source: SourceFile, config: ResolvedConfig, clock: FileClock = UNTIMED): Promise<WorkerResult> {
  const before = { ...images.stats };
  const record = await analyzeFile(source, config, images, clock);
  images.saveCache();
  const stats = Object.fromEntries(Object.entries(images.stats).map(([key, n]) => [key, n - before[key as keyof ImageStats]])) as unknown as ImageStats;
  return { record, images: record.images.map((path) => images.file(path)).filter((file): file is OutputFile => file !== undefined), stats };
}
