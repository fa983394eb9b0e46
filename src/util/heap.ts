import v8 from "node:v8";

/**
 * How much V8 may grow the main thread's heap over what its last full collection kept, while
 * `heldClose` work runs. V8's own factor grows up to 4 when collecting is cheap against the
 * work, which the main thread's work after processing is (organizing, indexing, rendering and
 * writing every page). Much of what writing allocates outlives the young generation (a page
 * being rendered, the lists of 100,000 postmortems), so the heap grew by gigabytes of garbage at
 * 100,000 before a full collection. Measured at 20,000 postmortems (2026-12-02, cold builds):
 * the peak fell from 846 MB to 530 MB with 20 % for the whole build, for 5 s more (6 %) while
 * processing and writing; hence only after processing, where no worker thread shares the
 * setting. The bench's 100,000 build measures what it does (1,786 MB at the peak with the
 * records' terms, images and texts let go, against 3,103 MB before all four).
 */
const GROWING_PERCENT = 20;

let holders = 0;

/**
 * Runs `work` with the heap held close to what it keeps (see GROWING_PERCENT). The setting is
 * V8's, for the whole process: set while any such work runs (in this thread, with no worker
 * thread processing), then back to V8's default.
 */
export async function heldClose<T>(work: () => Promise<T>): Promise<T> {
  if (holders++ === 0) v8.setFlagsFromString(`--heap-growing-percent=${GROWING_PERCENT}`);
  try {
    return await work();
  } finally {
    if (--holders === 0) v8.setFlagsFromString("--heap-growing-percent=0");
  }
}
