/** The numbers behind the dashboard: counts and medians from postmortem metadata, no drawing. */
import type { SeverityLevel } from "../config.js";
import { InternalError } from "../errors.js";
import { getOrAdd, mustAt } from "../util/lookup.js";
import { termKey } from "../util/terms.js";
import type { PostmortemMeta } from "../types.js";

/** Beyond this many months, monthly columns get too thin to read, so counts go by quarter. */
export const MAX_MONTHS = 36;
/** Beyond this many quarters, counts go by year. */
const MAX_QUARTERS = 48;
/** At most this many years are drawn, the last ones: an archive of historic incidents (1628) or a date in 9999 must not make thousands of columns. */
export const MAX_YEARS = 100;

/** One period's postmortem counts. */
export interface Period {
  /** `2024-03`, `2024 Q1` or `2024`. */
  readonly label: string;
  /** One count per level in scale order (worst first), then one for unrated postmortems. */
  readonly counts: readonly number[];
}

/** Postmortem counts per period, periods contiguous from the first dated one to the last. */
export interface PeriodCounts {
  readonly unit: "month" | "quarter" | "year";
  /** Oldest first. */
  readonly periods: readonly [Period, ...Period[]];
  /** Postmortems left out because they have no usable date. */
  readonly undated: number;
  /** Dated postmortems left out because they are older than the `MAX_YEARS` years drawn. */
  readonly earlier: number;
}

/** Counts dated postmortems per month (per quarter past 36 months) and severity; undefined when none is dated. */
export function countByPeriod(metas: readonly PostmortemMeta[], severities: readonly SeverityLevel[]): PeriodCounts | undefined {
  const dated: Array<{ month: number; level: number }> = [];
  for (const meta of metas) {
    const month = monthIndex(meta.date);
    if (month === undefined) continue;
    const level = severities.findIndex((l) => l.id === meta.severity);
    // Unknown ids count as unrated: meta.severity should already be on the scale, but a stale scale must not drop them.
    dated.push({ month, level: level < 0 ? severities.length : level });
  }
  if (!dated.length) return undefined;
  const first = dated.reduce((min, { month }) => Math.min(min, month), Infinity);
  const last = dated.reduce((max, { month }) => Math.max(max, month), -Infinity);
  const span = last - first + 1;
  const unit = span <= MAX_MONTHS ? "month" : span <= MAX_QUARTERS * 3 ? "quarter" : "year";
  const periodOf = (month: number) => (unit === "year" ? Math.floor(month / 12) : unit === "quarter" ? Math.floor(month / 3) : month);
  const start = Math.max(periodOf(first), unit === "year" ? periodOf(last) - MAX_YEARS + 1 : -Infinity);
  const counts = Array.from({ length: periodOf(last) - start + 1 }, () => new Array<number>(severities.length + 1).fill(0));
  let earlier = 0;
  for (const { month, level } of dated) {
    if (periodOf(month) < start) {
      earlier++;
      continue;
    }
    // Periods run from `start` to the last one's, and levels from 0 to the unrated one.
    const row = mustAt(counts, periodOf(month) - start, "the periods");
    row[level] = mustAt(row, level, "a period's counts") + 1;
  }
  const [oldest, ...newer] = counts.map((row, i) => ({ label: periodLabel(start + i, unit), counts: row }));
  // `start` is at most the last dated postmortem's period.
  if (!oldest) throw new InternalError("no period from the first dated postmortem to the last");
  const periods: [Period, ...Period[]] = [oldest, ...newer];
  return { unit, periods, undated: metas.length - dated.length, earlier };
}

/** Months since year 0, from the `YYYY-MM` prefix of an ISO date. */
function monthIndex(date: string | undefined): number | undefined {
  const match = /^(\d{4})-(\d{2})/.exec(date ?? "");
  if (!match) return undefined;
  const [year, month] = [Number(match[1]), Number(match[2])];
  return month >= 1 && month <= 12 ? year * 12 + month - 1 : undefined;
}

function periodLabel(period: number, unit: "month" | "quarter" | "year"): string {
  if (unit === "year") return String(period);
  if (unit === "quarter") return `${Math.floor(period / 4)} Q${(period % 4) + 1}`;
  return `${Math.floor(period / 12)}-${String((period % 12) + 1).padStart(2, "0")}`;
}

/** A service and the number of postmortems that name it. */
export interface ServiceCount {
  readonly label: string;
  readonly count: number;
}

// The same collator as the taxonomy pages, so ties read in the order a reader sees elsewhere.
const collator = new Intl.Collator("en", { sensitivity: "base", numeric: true });

/** Services by postmortem count, most first, ties alphabetical; spellings merge as on the service pages. */
export function countServices(metas: readonly PostmortemMeta[]): ServiceCount[] {
  const byKey = new Map<string, { label: string; count: number }>();
  for (const meta of metas) {
    // A postmortem that lists a service twice (`auth`, `Auth`) is still one postmortem for it.
    const labels = new Map<string, string>();
    for (const service of meta.services) {
      const key = termKey(service);
      if (key && !labels.has(key)) labels.set(key, service.trim());
    }
    for (const [key, label] of labels) getOrAdd(byKey, key, () => ({ label, count: 0 })).count += 1;
  }
  return [...byKey]
    .sort(([ka, a], [kb, b]) => b.count - a.count || collator.compare(a.label, b.label) || (ka < kb ? -1 : ka > kb ? 1 : 0))
    .map(([, entry]) => entry);
}

/** Compares labels such as years in reading order (`2023` before `2024`, `999` before `1000`). */
export function compareLabels(a: string, b: string): number {
  return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** The median of a non-empty list; the mean of the two middle values when its length is even. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const upper = mustAt(sorted, mid, "the values of a median");
  return sorted.length % 2 ? upper : (mustAt(sorted, mid - 1, "the values of a median") + upper) / 2;
}

/** Groups the usable values (finite, not negative) of one metric by a key; postmortems without a key or value are left out. */
export function groupValues(
  metas: readonly PostmortemMeta[],
  keyOf: (meta: PostmortemMeta) => string | undefined,
  valueOf: (meta: PostmortemMeta) => number | undefined,
): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  for (const meta of metas) {
    const [key, value] = [keyOf(meta), valueOf(meta)];
    if (key === undefined || typeof value !== "number" || !Number.isFinite(value) || value < 0) continue;
    getOrAdd(groups, key, () => []).push(value);
  }
  return groups;
}
