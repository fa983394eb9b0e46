/** How many images of each origin a build stored, and how many failed. */
export interface ImageStats {
  embedded: number;
  downloaded: number;
  cached: number;
  local: number;
  failed: number;
}

/** The counts of no image work: a build that stored none, or where counting starts. */
export function noImageWork(): ImageStats {
  return { embedded: 0, downloaded: 0, cached: 0, local: 0, failed: 0 };
}

/** Adds the counts of `more` to `into`. */
export function addImageWork(into: ImageStats, more: ImageStats): void {
  for (const key of Object.keys(into) as (keyof ImageStats)[]) into[key] += more[key];
}
