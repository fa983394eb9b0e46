import type { PostmortemRecord } from "../stages/record.js";
import type { Output } from "../types.js";

/**
 * State kept between builds in one process (`hindsight dev`): postmortems whose `record` key
 * (see keys.ts) did not change are not processed again.
 */
export class BuildSession {
  readonly records = new Map<string, { key: string; record: PostmortemRecord }>();
  /** Image files of every record kept, by output path. */
  readonly images = new Map<string, Output>();
  /** The `settings` key the records were made with. */
  settings: string | undefined;

  /** Keeps the records only if they were made with these settings. */
  use(settings: string): void {
    if (this.settings === settings) return;
    this.invalidate();
    this.settings = settings;
  }

  /** Forgets every postmortem: after a change any of them may depend on (a local image, the config). */
  invalidate(): void {
    this.records.clear();
    this.images.clear();
  }
}
