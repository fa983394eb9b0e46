import { DEFAULT_SEVERITIES } from "../config-defaults.js";
import { textBefore } from "../util/format.js";

/** A severity level as `init` writes it. */
export interface SeverityChoice {
  readonly id: string;
  readonly label?: string;
  readonly aliases: string[];
}

// Words that archives and status pages use for a level, mapped onto SEV1 (worst) … SEV5.
const KNOWN_WORDS: readonly (readonly string[])[] = [
  ["sev0", "sev1", "p0", "p1", "1", "critical", "blocker", "emergency", "urgent", "down", "outage", "major outage", "major-outage", "majoroutage"],
  ["sev2", "p2", "2", "high", "major", "disrupted", "partial outage", "partial-outage", "partialoutage", "serious", "severe"],
  ["sev3", "p3", "3", "medium", "moderate", "degraded", "degraded performance", "degraded-performance", "partial", "notice"],
  ["sev4", "p4", "4", "low", "minor"],
  ["sev5", "p5", "5", "info", "informational", "cosmetic", "maintenance", "trivial", "none"],
];

const squash = (text: string) => text.toLowerCase().replace(/[\s_-]+/g, "");

/** The level (0 worst … 4) a severity word stands for, or undefined. */
export function levelOf(value: string): number | undefined {
  const word = value.trim().toLowerCase();
  const index = KNOWN_WORDS.findIndex((words) => words.some((w) => squash(w) === squash(word)));
  if (index >= 0) return index;
  const sev = /^sev[\s_-]?([1-5])$/i.exec(word);
  return sev ? Number(sev[1]) - 1 : undefined;
}

/**
 * The severity scale for the values an archive uses. When every value is a word Hindsight
 * knows (`High`, `down`, `P2`), the default SEV1…SEV5 scale stays, each value used becoming an
 * alias of its level unless the defaults already read it (undefined when they read them all). When some value is unknown, the
 * values themselves become the scale: known words first, worst first, then the others in
 * alphabetical order (to reorder by hand). Undefined when no postmortem gives a severity.
 */
export function decideSeverities(values: readonly string[], fromText: readonly string[] = []): { levels: SeverityChoice[] | undefined; unknown: string[] } {
  // Words from labelled lines are read as the extractor reads them (the whole value, else its
  // first word), and only known ones count: prose is no place to found a scale on.
  if (values.length === 0) {
    const known = fromText.map((v) => (levelOf(v) !== undefined ? v : textBefore(v.trim(), /[\s(,;-]/))).filter((v) => levelOf(v) !== undefined);
    if (known.length === 0) return { levels: undefined, unknown: [] };
    values = known;
  }
  const spellings = new Map<string, string>();
  for (const value of values) {
    const v = value.trim();
    if (v === "") continue;
    const key = squash(v);
    const held = spellings.get(key);
    if (held === undefined || v < held) spellings.set(key, v);
  }
  if (spellings.size === 0) return { levels: undefined, unknown: [] };
  const used = [...spellings.values()].sort();
  const unknown = used.filter((v) => levelOf(v) === undefined);
  if (unknown.length === 0) {
    const levels = DEFAULT_SEVERITIES.map((level, index) => {
      const read = new Set([level.id, ...level.aliases].map(squash));
      const extra = used.filter((v) => levelOf(v) === index && !read.has(squash(v)) && !/^sev[\s_-]?[1-5]$/i.test(v));
      return { choice: { id: level.id, aliases: [...level.aliases, ...extra] }, extra };
    });
    // The default scale reads every word already: no need to write it out.
    const extras = levels.some(({ extra }) => extra.length > 0);
    return { levels: extras ? levels.map(({ choice }) => choice) : undefined, unknown };
  }
  const known = used
    .flatMap((v) => {
      const level = levelOf(v);
      return level === undefined ? [] : [{ v, level }];
    })
    .sort((a, b) => a.level - b.level || (a.v < b.v ? -1 : 1))
    .map(({ v }) => v);
  return { levels: [...known, ...unknown].map((id) => ({ id, aliases: [] })), unknown };
}
