import { FIELDS } from "../config-defaults.js";
import { scalarText } from "../util/format.js";
import type { DocFacts } from "./read.js";

/** What `init` decided about frontmatter fields, with the counts behind each decision. */
export interface FieldChoice {
  /** Fields every postmortem supplies (from frontmatter, a mapped key, the `#` title or a date in its path). */
  readonly required: string[];
  /** Field → the key it is read from. */
  readonly map: Record<string, string>;
  readonly taxonomies: string[];
  /** Rule settings: the title fallback's warning turned off when the fallback is the archive's way. */
  readonly rules: Record<string, "off">;
  /** How many postmortems supply each of title, date, severity, services, and from where. */
  readonly supply: Record<CoreField, { frontmatter: number; text: number }>;
  /** Postmortems whose date (or resolved, detected, mitigated) is before year 0001 or after 9999: check refuses them. */
  readonly outOfRange: readonly string[];
  /** Keys with the number of postmortems using each, for the report. */
  readonly keys: ReadonlyArray<[string, number]>;
}

/** The fields `fields.required` is chosen among. */
export const CORE_FIELDS = ["title", "date", "severity", "services"] as const;
type CoreField = (typeof CORE_FIELDS)[number];

// Keys that often hold a field under another name (status pages, incident trackers, exports).
const KNOWN_KEYS: ReadonlyArray<[string, readonly string[]]> = [
  ["title", ["name", "subject", "headline"]],
  ["date", ["start_time", "started_at", "start_date", "startdate", "start", "incident_date", "date_start", "began", "began_at", "occurred_at", "created_at"]],
  ["resolved", ["end_time", "ended_at", "end_date", "enddate", "resolved_at", "resolvedwhen", "resolution_time", "end"]],
  ["detected", ["detected_at", "detection_time"]],
  ["mitigated", ["mitigated_at", "mitigation_time"]],
  ["severity", ["sev", "level", "priority", "impact_level", "criticality"]],
  ["services", ["affected", "affected_services", "components", "component", "service", "systems", "system", "affectedsystems"]],
  ["summary", ["description", "tldr", "abstract", "excerpt"]],
  ["authors", ["author", "owner", "owners", "responders"]],
];

/** Keys that are fields of their own (DESIGN.md) or ids: never a taxonomy. */
const NOT_TAXONOMIES: ReadonlySet<string> = new Set([...FIELDS, "uuid", "id", "url", "archive_url", "draft", "layout", "permalink", "weight", "aliases"]);
const RESERVED = new Set(["postmortems", "assets", "images", "search", "stats", "actions", "years"]);

/** Share of postmortems a key must be in to be mapped or made a taxonomy. */
export const KEY_SHARE = 0.2;

/**
 * Fits fields to the postmortems: a known key stands for a field its own key is missing from
 * (`start_time` → date); the core fields every postmortem supplies are required (a file that
 * would fail is worse than a check that asks less); list- or term-valued keys that many files
 * share become taxonomies; the title fallback's warning is switched off when half the archive
 * or more takes its title from the `#` heading, since it would then say nothing new (a date
 * from the file name is an info message, `extract/date-from-path`, not a warning).
 */
export function decideFields(docs: readonly DocFacts[]): FieldChoice {
  const n = docs.length;
  const keyCounts = new Map<string, number>();
  for (const doc of docs) for (const key of Object.keys(doc.data)) if (present(doc.data[key])) keyCounts.set(key, (keyCounts.get(key) ?? 0) + 1);
  const count = (key: string) => keyCounts.get(key) ?? 0;
  const map: Record<string, string> = {};
  for (const [field, candidates] of KNOWN_KEYS) {
    if (count(field) >= n * 0.5) continue;
    const found = [...keyCounts.keys()]
      .filter((key) => candidates.includes(key.toLowerCase().replace(/[\s-]/g, "_")) || candidates.includes(key.toLowerCase()))
      .filter((key) => count(key) > count(field) && count(key) >= n * KEY_SHARE && usableFor(field, docs, key))
      .sort((a, b) => count(b) - count(a) || (a < b ? -1 : 1))[0];
    if (found) map[field] = found;
  }
  const keyOf = (field: string) => map[field] ?? field;
  const supply = Object.fromEntries(CORE_FIELDS.map((field) => [field, { frontmatter: 0, text: 0 }])) as FieldChoice["supply"];
  let titleFromText = 0;
  for (const doc of docs) {
    for (const field of CORE_FIELDS) {
      if (present(doc.data[keyOf(field)])) supply[field].frontmatter++;
      else if (field === "title" && doc.h1 !== undefined) {
        supply.title.text++;
        titleFromText++;
      } else if (field === "date" && doc.pathDate !== undefined) supply.date.text++;
    }
  }
  const required = n === 0 ? [] : CORE_FIELDS.filter((field) => supply[field].frontmatter + supply[field].text === n);
  const rules: Record<string, "off"> = {};
  if (n > 0 && titleFromText >= n / 2) rules["title/fallback"] = "off";
  const base = (["services", "severity", "tags"] as const).filter((field) => (field === "tags" ? count("tags") > 0 : supply[field].frontmatter > 0));
  // Keys already taken: mapped onto a field, or a taxonomy of the base (`tags`).
  const taken = new Set<string>([...Object.values(map), ...base]);
  const found = [...keyCounts.keys()]
    .filter((key) => !taken.has(key) && !NOT_TAXONOMIES.has(key) && !RESERVED.has(key) && /^[a-z][a-z0-9_-]*$/.test(key))
    .filter((key) => count(key) >= n * KEY_SHARE && isTermKey(docs, key))
    .sort((a, b) => count(b) - count(a) || (a < b ? -1 : 1));
  const outOfRange = docs
    .filter((doc) =>
      ["date", "resolved", "detected", "mitigated", "started"].some((field) => {
        const year = /^\s*(-?\d{4,})-/.exec(scalarText(doc.data[keyOf(field)]))?.[1];
        return year !== undefined && (Number(year) < 1 || Number(year) > 9999);
      }),
    )
    .map((doc) => doc.relPath);
  const keys = [...keyCounts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return { required, map, taxonomies: [...base, ...found], rules, supply, outOfRange, keys };
}

/** Whether a frontmatter value is given: not null, not blank, not a list of nothing. */
export function present(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === "string") return value.trim() !== "";
  if (Array.isArray(value)) return value.some(present);
  return true;
}

/** A key can stand for a field when its values have the field's type: dates for dates, terms for services and severity. */
function usableFor(field: string, docs: readonly DocFacts[], key: string): boolean {
  const values = docs.map((doc) => doc.data[key]).filter(present);
  if (["date", "resolved", "detected", "mitigated"].includes(field))
    return values.every((v) => (typeof v === "string" && /^\d{4}-\d{2}-\d{2}/.test(v.trim())) || v instanceof Date);
  if (field === "title" || field === "summary") return values.every((v) => typeof v === "string");
  return values.every((v) => typeof v === "string" || typeof v === "number" || (Array.isArray(v) && v.every((x) => typeof x === "string")));
}

/** Short terms (a string or a list of them), hardly ever links, dates or prose, some shared by two files or more. */
function isTermKey(docs: readonly DocFacts[], key: string): boolean {
  const perTerm = new Map<string, number>();
  let bad = 0;
  let all = 0;
  for (const doc of docs) {
    const value = doc.data[key];
    if (!present(value)) continue;
    for (const term of Array.isArray(value) ? value : [value]) {
      all++;
      const t = typeof term === "string" ? term.trim() : undefined;
      if (t === undefined || t.length > 60 || /^[a-z]+:\/\//i.test(t) || /^\d{4}-\d{2}-\d{2}/.test(t)) {
        bad++;
        continue;
      }
      if (t !== "") perTerm.set(t.toLowerCase(), (perTerm.get(t.toLowerCase()) ?? 0) + 1);
    }
  }
  return bad <= all * 0.05 && [...perTerm.values()].some((uses) => uses >= 2);
}
