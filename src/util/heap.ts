import v8 from "node:v8";
import vm from "node:vm";

/**
 * How much V8 may grow the main thread's heap over what its last full collection kept, while
 * `heldClose` work runs. V8's own factor grows up to 4 when collecting is cheap against the
 * work, which the main thread's work after processing is (organizing, indexing, rendering and
 * writing every page). Much of what writing allocates outlives the young generation (a page
 * being rendered, the lists of 100,000 postmortems), so the heap grew by gigabytes of garbage at
 * 100,000 before a full collection. Measured at 20,000 postmortems (2026-12-02, cold builds):
 * the peak fell from 846 MB to 530 MB with 20 % for the whole build, for 5 s more (6 %) while
 * processing and writing; hence only after processing, where no worker thread shares the
 * setting. The bench's 100,000 build measures what it does (3,103 MB at the peak before the
 * records' terms, images and texts were let go; 1,786 MB after; 1,558 MB with the full
 * collection below and the fixes of the same day).
 */
const GROWING_PERCENT = 20;

let holders = 0;

let collector: (() => void) | undefined;

/**
 * A full collection, now. The setting above applies from the next one; before it, the heap may
 * still grow to the limit V8 set at the last, with its own factor: at 100,000 postmortems the
 * main heap held 941 MB at the end of processing, most of it garbage, and passed 1,300 MB while
 * writing. V8's `gc` is exposed for a new context only, as jest's leak detector takes it.
 */
export function collectNow(): void {
  if (!collector) {
    v8.setFlagsFromString("--expose-gc");
    collector = vm.runInNewContext("gc") as () => void;
  }
  collector();
}

/**
 * Runs `work` with the heap held close to what it keeps (see GROWING_PERCENT), from a full
 * collection made as it starts. The setting is V8's, for the whole process: set while any such
 * work runs (in this thread, with no worker thread processing), then back to V8's default.
 */
export async function heldClose<T>(work: () => T | Promise<T>): Promise<T> {
  if (holders++ === 0) {
    v8.setFlagsFromString(`--heap-growing-percent=${GROWING_PERCENT}`);
    collectNow();
  }
  try {
    return await work();
  } finally {
    if (--holders === 0) v8.setFlagsFromString("--heap-growing-percent=0");
  }
}
