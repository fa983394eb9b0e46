/** Helpers for the dates and durations found in frontmatter. All times are treated as UTC. */
import { mustGroup } from "./lookup.js";
import { fail, ok, type Result } from "./result.js";

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/** A parsed ISO 8601 date or date-time. `hasTime` is false for a plain `YYYY-MM-DD`. */
export interface Instant {
  readonly iso: string;
  readonly ms: number;
  readonly hasTime: boolean;
}

/**
 * The instants an archive may hold: years 0001 to 9999, four digits, as RFC 3339 (Atom, the
 * sitemap) has them. An archive of historic incidents reaches 1628; an offset past the end of
 * 9999 made the year `+010000`.
 */
export const EARLIEST = Date.parse("0001-01-01T00:00:00Z");
export const LATEST = Date.UTC(10000, 0, 1) - 1;

/** True when an instant is one an archive may hold (see `EARLIEST`, `LATEST`). */
export function inRange(instant: Instant): boolean {
  return instant.ms >= EARLIEST && instant.ms <= LATEST;
}

/** The UTC day of an instant, as a number: plain dates compare by it. */
export function dayOf(instant: Instant): number {
  return Math.floor(instant.ms / 86_400_000);
}

/** Why a value is not a date an archive may hold: not an ISO 8601 date or date-time at all (`2024-02-30` is not), or one outside `EARLIEST`…`LATEST`. */
export type DateError = "not-a-date" | "out-of-range";

/** Reads an ISO date or date-time string within the archive's range, or says why it is not one. */
export function readDate(value: unknown): Result<Instant, DateError> {
  const instant = parseInstant(value);
  if (!instant) return fail("not-a-date");
  return inRange(instant) ? ok(instant) : fail("out-of-range");
}

/** `readDate`'s instant, for callers that need no reason: undefined when it is not one. */
export function parseDate(value: unknown): Instant | undefined {
  const date = readDate(value);
  return date.ok ? date.value : undefined;
}

/** Parses an ISO date or date-time string; undefined when it is not one (`2024-02-30` is not). */
export function parseInstant(value: unknown): Instant | undefined {
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  // Date.parse rolls 30 February over into March: a real date must survive the round trip.
  if (!isRealDate(text.slice(0, 10))) return undefined;
  if (DATE_ONLY.test(text)) return { iso: text, ms: Date.parse(`${text}T00:00:00Z`), hasTime: false };
  if (DATE_TIME.test(text)) {
    const normalized = text.replace(" ", "T");
    const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(normalized);
    const ms = Date.parse(hasZone ? normalized : `${normalized}Z`);
    if (Number.isNaN(ms)) return undefined;
    return { iso: new Date(ms).toISOString().replace(".000Z", "Z"), ms, hasTime: true };
  }
  return undefined;
}

const LOOSE = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:(?:[T ]|, )(\d{1,2}):(\d{1,2})(?::(\d{1,2})(\.\d+)?)?)?[ \t]*(Z|UTC|GMT|[+-]\d{2}:?\d{2})?$/i;

/**
 * Reads a date or date-time written loosely, as ISO 8601 after padding and tidying:
 * `2020-12-07T8:00:00`, `2020/12/7`, `2020-12-07 13:00 UTC`, `2020-12-07 13:00 +0100`.
 * Undefined when it is not one even so; the caller warns that it was loose.
 */
export function parseLenientInstant(value: unknown): Instant | undefined {
  if (typeof value !== "string") return undefined;
  const m = LOOSE.exec(value.trim());
  if (!m) return undefined;
  const pad = (part: string | undefined) => (part ?? "00").padStart(2, "0");
  const day = `${mustGroup(m, 1)}-${pad(m[2])}-${pad(m[3])}`;
  if (m[4] === undefined) return parseDate(day);
  const zone = m[8] === undefined ? "" : /^(UTC|GMT)$/i.test(m[8]) ? "Z" : m[8];
  return parseDate(`${day}T${pad(m[4])}:${pad(m[5])}:${pad(m[6])}${m[7] ?? ""}${zone}`);
}

function isRealDate(ymd: string): boolean {
  const ms = Date.parse(`${ymd}T00:00:00Z`);
  return DATE_ONLY.test(ymd) && !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === ymd;
}

const UNIT_MINUTES: Record<string, number> = { d: 1440, h: 60, m: 1, s: 1 / 60 };

/** Parses a duration such as `4h`, `90m`, `1h55m`, `2d 3h`; undefined when it is not one. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value) && value >= 0) return value;
  if (typeof value !== "string") return undefined;
  const text = value.trim().toLowerCase();
  if (!/^(\d+(\.\d+)?\s*[dhms]\s*)+$/.test(text)) return undefined;
  let minutes = 0;
  for (const match of text.matchAll(/(\d+(?:\.\d+)?)\s*([dhms])/g)) {
    minutes += Number(mustGroup(match, 1)) * (UNIT_MINUTES[mustGroup(match, 2)] ?? 0);
  }
  return minutes;
}

/** Formats minutes as a short human duration: `45m`, `4h`, `1h 55m`, `2d 3h`. */
export function formatDuration(minutes: number): string {
  const total = Math.round(minutes);
  if (total < 1) return "< 1m";
  const days = Math.floor(total / 1440);
  const hours = Math.floor((total % 1440) / 60);
  const mins = total % 60;
  const parts: string[] = [];
  if (days) parts.push(`${days}d`);
  if (hours) parts.push(`${hours}h`);
  if (mins && !days) parts.push(`${mins}m`);
  return parts.join(" ") || "0m";
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Formats an ISO date for readers: `13 Aug 2019`, with ` 20:40 UTC` when it has a time. */
export function formatDate(iso: string | undefined, withTime = false): string {
  if (!iso) return "Undated";
  const [y, m, d] = [iso.slice(0, 4), Number(iso.slice(5, 7)), Number(iso.slice(8, 10))];
  const date = `${d} ${MONTHS[m - 1] ?? "?"} ${y}`;
  return withTime && iso.length > 10 ? `${date} ${iso.slice(11, 16)} UTC` : date;
}
