/**
 * Ends many waits at once when it is tripped: `guard(work)` settles as `work` does, or rejects
 * with the trip's error if that comes first.
 *
 * Not `Promise.race([work, never])` with one promise that settles only on trouble: each race
 * adds a reaction to that promise, and the reaction keeps the race's own promise, with its
 * result, for as long as the promise is pending. A build's pool raced every postmortem against
 * it, so every processed record stayed in memory until the last one was done (about 20 KB
 * each: 200 MB at 10,000 postmortems). A settled guard leaves nothing here.
 */
export class Tripwire {
  private tripped: { readonly error: Error } | undefined;
  private readonly waiting = new Set<(error: Error) => void>();

  /** Rejects every wait in progress, and every later one, with `error`; only the first trip counts. */
  trip(error: Error): void {
    if (this.tripped) return;
    this.tripped = { error };
    for (const reject of this.waiting) reject(error);
    this.waiting.clear();
  }

  /** `work`, or the trip's error if the wire is tripped first. */
  guard<T>(work: Promise<T>): Promise<T> {
    if (this.tripped) {
      // Its own failure, later, is not an unhandled rejection: the trip's error is the answer.
      work.catch(() => undefined);
      return Promise.reject(this.tripped.error);
    }
    return new Promise<T>((resolve, reject) => {
      this.waiting.add(reject);
      work.then(resolve, reject).finally(() => this.waiting.delete(reject));
    });
  }

  /** Waits in progress: none once every guarded work has settled. */
  get pending(): number {
    return this.waiting.size;
  }
}
