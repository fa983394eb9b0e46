import type { ChangeKind } from "./watcher.js";

/** How long the queue waits for more changes after one: an editor saves in several steps. */
const DEBOUNCE_MS = 40;

/** Changed files (absolute paths) with what each means for the build. */
export type Changes = ReadonlyMap<string, ChangeKind>;

/** The rebuild queue of `hindsight dev`. */
export interface RebuildQueue {
  /** Notes a changed file; `name` is how the terminal names it. */
  request(file: string, kind: ChangeKind, name: string): void;
  /** Settles when no change waits and no rebuild runs. */
  idle(): Promise<void>;
}

/**
 * Runs one rebuild at a time: changes that arrive together make one rebuild, and changes during
 * a rebuild make one more after it.
 */
export function rebuildQueue(rebuild: (reason: string, changes: Changes) => Promise<void>): RebuildQueue {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let pending = new Map<string, ChangeKind>();
  const names = new Set<string>();
  const run = () => {
    timer = undefined;
    running = running
      .then(() => {
        if (pending.size === 0) return;
        const reason = [...names].slice(0, 3).join(", ") + (names.size > 3 ? ` and ${names.size - 3} more` : "");
        const changes = pending;
        pending = new Map();
        names.clear();
        return rebuild(reason, changes);
      })
      // rebuild() reports its own failures; this only keeps the queue alive whatever happens.
      .catch(() => undefined);
  };
  return {
    request(file, kind, name) {
      pending.set(file, kind);
      names.add(name);
      if (timer) clearTimeout(timer);
      timer = setTimeout(run, DEBOUNCE_MS);
    },
    async idle() {
      while (timer || pending.size) {
        await new Promise((resolve) => setTimeout(resolve, DEBOUNCE_MS));
        await running;
      }
      await running;
    },
  };
}
