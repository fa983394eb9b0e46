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
  const fromName = dayOf(DAY_PREFIX.exec(name));
  if (fromName) return { value: fromName, place: undefined, precision: "day", from: "the file name" };
  for (const folder of folders) {
    const day = dayOf(DAY_PREFIX.exec(folder));
    if (day) return { value: day, place: undefined, precision: "day", from: `the folder \`${folder}\`` };
  }
  const month = folders.map((folder) => MONTH_FOLDER.exec(folder)).find((m) => m !== null);
  if (!month) return undefined;
  const monthDay = /^(\d{2})-(\d{2})(?=$|[^\d])/.exec(name);
  if (monthDay && monthDay[1] === month[2]) {
    const day = dayOf([``, month[1]!, month[2]!, monthDay[2]!]);
    if (day) return { value: day, place: undefined, precision: "day", from: `the folder \`${month[0]}\` and the file name` };
  }
  const first = dayOf([``, month[1]!, month[2]!, "01"]);
  return first ? { value: first, place: undefined, precision: "month", from: `the folder \`${month[0]}\` (the month: the day is not given)` } : undefined;
}

function dayOf(match: readonly string[] | null): string | undefined {
  if (!match) return undefined;
  const iso = `${match[1]}-${match[2]}-${match[3]}`;
  return parseDate(iso)?.iso;
}
