import { mustGroup } from "../util/lookup.js";
import { parseDate } from "../util/time.js";
import type { Found } from "./found.js";

/** A date read from a path, and which part of the path said it. */
export interface PathDate extends Found<string> {
  /** `day`: a whole date; `month`: a `YYYY-MM` folder alone (the 1st of that month stands for it). */
  readonly precision: "day" | "month";
  /** Where it came from, as a message names it: "the file name", "the folder `2021-05`". */
  readonly from: string;
}

const DAY_PREFIX = /^(\d{4})-(\d{2})-(\d{2})(?=$|[^\d])/;
const MONTH_FOLDER = /^(\d{4})-(\d{2})$/;

/**
 * `date-from-path`: the date a postmortem's path gives: a `YYYY-MM-DD` prefix of the file
 * name (`2017-10-17-cluster-full.md`), else of the nearest folder (`2021-05-03/notes.md`),
 * else a `YYYY-MM` folder with an `MM-DD` file name (`2023-04/04-25-…`), else a `YYYY-MM`
 * folder alone (`precision: "month"`).
 */
export function dateFromPath(relPath: string): PathDate | undefined {
  const parts = relPath.split("/");
  const name = parts.pop() ?? "";
  const folders = parts.reverse();
  const fromName = dayPrefix(name);
  if (fromName) return { value: fromName, place: undefined, precision: "day", from: "the file name" };
  for (const folder of folders) {
    const day = dayPrefix(folder);
    if (day) return { value: day, place: undefined, precision: "day", from: `the folder \`${folder}\`` };
  }
  const month = folders.map((folder) => MONTH_FOLDER.exec(folder)).find((m) => m !== null);
  if (!month) return undefined;
  const folder = month[0];
  const year = mustGroup(month, 1);
  const monthOfYear = mustGroup(month, 2);
  const monthDay = /^(\d{2})-(\d{2})(?=$|[^\d])/.exec(name);
  if (monthDay && monthDay[1] === monthOfYear) {
    const day = isoDay(year, monthOfYear, mustGroup(monthDay, 2));
    if (day) return { value: day, place: undefined, precision: "day", from: `the folder \`${folder}\` and the file name` };
  }
  const first = isoDay(year, monthOfYear, "01");
  return first ? { value: first, place: undefined, precision: "month", from: `the folder \`${folder}\` (the month: the day is not given)` } : undefined;
}

/** The day a name starts with (`2021-05-03…`), when it is a real one. */
function dayPrefix(name: string): string | undefined {
  const match = DAY_PREFIX.exec(name);
  return match ? isoDay(mustGroup(match, 1), mustGroup(match, 2), mustGroup(match, 3)) : undefined;
}

function isoDay(year: string, month: string, day: string): string | undefined {
  return parseDate(`${year}-${month}-${day}`)?.iso;
}
