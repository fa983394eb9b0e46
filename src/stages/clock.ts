import { performance } from "node:perf_hooks";
import vm from "node:vm";
import { InternalError } from "../errors.js";

/** A postmortem took longer to process than `limits.fileMs` allows. */
export class TimeLimitError extends Error {
  constructor(readonly limitMs: number) {
    super(`Processing took longer than ${limitMs} ms`);
  }
}

/**
 * Counts the time a postmortem's processing takes against `limits.fileMs`: only the work run
 * through `run` counts (parsing, rules, rendering), not waiting for downloads, which have
 * budgets of their own. Markdown parsing is superlinear on some small inputs (runs of `*` and
 * `_`, lazy lines in deep quotes), so nothing else stops such a file.
 */
export interface FileClock {
  /** Runs synchronous work, stopped with a `TimeLimitError` once the file's time is used up. */
  run<T>(work: () => T): T;
}

/** A clock that never stops anything (tests, and postmortems given in code). */
export const UNTIMED: FileClock = { run: (work) => work() };

// One script and one context for every call (a context costs far more than a call): the
// script calls the function put in the context.
const CALL = new vm.Script("work()");
let context: vm.Context | undefined;

/**
 * A clock for work in this thread: V8 stops the work itself when the time is up (vm's
 * `timeout` runs a watchdog beside it), so a runaway parse cannot block the thread. About
 * 0.1 ms a call: fine for the few postmortems processed outside the worker pool.
 */
export function vmClock(limitMs: number): FileClock {
  let used = 0;
  return {
    run<T>(work: () => T): T {
      const left = Math.max(1, Math.ceil(limitMs - used));
      context ??= vm.createContext({ work: undefined });
      const ctx = context;
      const t0 = performance.now();
      ctx.work = work;
      try {
        return CALL.runInContext(ctx, { timeout: left }) as T;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ERR_SCRIPT_EXECUTION_TIMEOUT") throw new TimeLimitError(limitMs);
        throw error;
      } finally {
        ctx.work = undefined;
        used += performance.now() - t0;
      }
    },
  };
}

/** Phases a worker's task is in, as the main thread's watchdog reads them. */
export const IDLE = 0;
export const WORKING = 1;

/**
 * A clock for a worker thread: it marks the task's slot of a shared array while work runs; the
 * main thread's watchdog (`Watchdog`) counts that time and stops the worker when it is up.
 */
export function sharedClock(phases: Int32Array, slot: number): FileClock {
  return {
    run<T>(work: () => T): T {
      Atomics.store(phases, slot, WORKING);
      try {
        return work();
      } finally {
        Atomics.store(phases, slot, IDLE);
      }
    },
  };
}

/**
 * Watches the tasks of a worker pool through their slots: a task whose work has taken longer
 * than the limit, counted while it is marked working, is aborted (piscina then stops its
 * worker and starts another).
 */
export class Watchdog {
  readonly phases: Int32Array;
  private readonly used: Float64Array;
  private readonly controllers = new Map<number, AbortController>();
  private timer: NodeJS.Timeout | undefined;
  private last = performance.now();

  constructor(
    slots: number,
    private readonly limitMs: number,
  ) {
    this.phases = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, slots)));
    this.used = new Float64Array(Math.max(1, slots));
  }

  /** The signal that aborts the task of this slot when its time is up. */
  watch(slot: number): AbortSignal {
    const controller = new AbortController();
    this.controllers.set(slot, controller);
    if (!this.timer) {
      this.last = performance.now();
      this.timer = setInterval(
        () => {
          this.tick();
        },
        Math.min(100, Math.max(10, this.limitMs / 10)),
      );
    }
    return controller.signal;
  }

  /** The task of this slot is over. */
  release(slot: number): void {
    this.controllers.delete(slot);
    if (this.controllers.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /** True when the task of this slot was stopped for taking too long. */
  expired(slot: number): boolean {
    return this.usedMs(slot) > this.limitMs;
  }

  /** The time the task of a slot has worked; a slot past the pool's size is a bug. */
  private usedMs(slot: number): number {
    const used = this.used[slot];
    if (used === undefined) throw new InternalError(`no clock slot ${slot} of ${this.used.length}`);
    return used;
  }

  private tick(): void {
    const now = performance.now();
    const elapsed = now - this.last;
    this.last = now;
    for (const [slot, controller] of this.controllers) {
      if (Atomics.load(this.phases, slot) !== WORKING) continue;
      const used = this.usedMs(slot) + elapsed;
      this.used[slot] = used;
      if (used > this.limitMs) controller.abort();
    }
  }

  /** Stops watching. */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.controllers.clear();
  }
}
