import type { Limits } from "../config.js";

/** The per-build budgets, counted across every thread of the build. */
export type SharedBudget = "downloadBytes" | "dataTotalBytes";

const SLOTS = { downloadBytes: 0, dataTotalBytes: 1, downloadStart: 2 } as const;

/** How a budget crosses to a worker thread: the shared counters and the clock's origin. */
export interface BudgetState {
  readonly buffer: SharedArrayBuffer;
  /** `Date.now()` when the budget was made; the download clock counts from it. */
  readonly origin: number;
}

/**
 * What a build may still spend, shared by the main thread and the workers: bytes downloaded,
 * bytes of `data:` images, and the time all downloads may take together (from the first one).
 * Counters live in a SharedArrayBuffer, updated with Atomics, so a worker's spending counts
 * for all.
 */
export class BuildBudget {
  private readonly counters: BigInt64Array;

  constructor(
    readonly limits: Limits,
    readonly state: BudgetState = { buffer: new SharedArrayBuffer(8 * 3), origin: Date.now() },
  ) {
    this.counters = new BigInt64Array(state.buffer);
  }

  /** Spends `amount` of a per-build budget; false, spending nothing, when that would go over it. */
  take(budget: SharedBudget, amount: number): boolean {
    const slot = SLOTS[budget];
    const limit = BigInt(this.limits[budget]);
    const add = BigInt(Math.max(0, Math.ceil(amount)));
    for (;;) {
      const used = Atomics.load(this.counters, slot);
      if (used + add > limit) return false;
      if (Atomics.compareExchange(this.counters, slot, used, used + add) === used) return true;
    }
  }

  /** Gives back what `take` spent and was not used after all (a download cut short). */
  giveBack(budget: SharedBudget, amount: number): void {
    Atomics.sub(this.counters, SLOTS[budget], BigInt(Math.max(0, Math.ceil(amount))));
  }

  /** What is left of a per-build budget. */
  left(budget: SharedBudget): number {
    return this.limits[budget] - Number(Atomics.load(this.counters, SLOTS[budget]));
  }

  /**
   * Milliseconds left for downloads: the clock starts at the first call (the build's first
   * download) and runs for `limits.downloadMs`, whichever thread downloads.
   */
  downloadTimeLeft(): number {
    const now = BigInt(Date.now() - this.state.origin + 1);
    Atomics.compareExchange(this.counters, SLOTS.downloadStart, 0n, now);
    const start = Atomics.load(this.counters, SLOTS.downloadStart);
    return Math.max(0, this.limits.downloadMs - Number(now - start));
  }
}
