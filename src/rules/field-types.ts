import { parseDuration } from "../util/time.js";
import { DATE_FIELDS } from "./dates.js";
import { describeType, isScalar, lintRule, shown } from "./rule.js";

/** Fields whose value is one line of text. */
export const TEXT_FIELDS = ["title", "summary", "impact", "incident_id", "slug"] as const;
/** Fields whose value other rules read as one word (a level, a status): a list or mapping is this rule's. */
export const WORD_FIELDS = ["severity", "status"] as const;
const LIST_FIELDS = ["authors", "tags"] as const;

/**
 * `frontmatter/type`: text fields are text, list fields are lists of text, dates and words are
 * not lists or mappings, `duration` reads as one. Other rules skip what this one reports.
 */
export const fieldTypes = lintRule({ id: "frontmatter/type", severity: "error", needsFrontmatter: true }, ({ pm, placeOf }, report) => {
  const data = pm.meta.data;
  for (const field of TEXT_FIELDS) {
    const value = data[field];
    if (value === undefined || value === null || typeof value === "string" || typeof value === "number") continue;
    report({
      reason: `Unexpected ${field} as ${describeType(value)}, expected text`,
      place: placeOf(field),
      hint: `Write \`${field}:\` as one line of text; quote it if it contains \`: \`.`,
    });
  }
  for (const field of LIST_FIELDS) {
    const value = data[field];
    if (value === undefined || value === null || typeof value === "string") continue;
    if (Array.isArray(value) && value.every((item) => typeof item === "string" || typeof item === "number")) continue;
    report({
      reason: `Unexpected ${field} as ${describeType(value)}, expected a list of text`,
      place: placeOf(field),
      hint: `Write \`${field}: [first, second]\`.`,
    });
  }
  // Read as one value: a word (a level, a status) or a date.
  const scalars: readonly [readonly string[], string, (field: string) => string][] = [
    [WORD_FIELDS, "one word", (field) => `Write \`${field}:\` as one value, such as \`${field === "severity" ? "SEV2" : "final"}\`.`],
    [DATE_FIELDS, "a date", (field) => `Write \`${field}: 2024-02-10\` or \`${field}: 2024-02-10T09:30:00Z\`.`],
  ];
  for (const [fields, expected, hint] of scalars) {
    for (const field of fields) {
      const value = data[field];
      if (value === undefined || value === null || isScalar(value)) continue;
      report({ reason: `Unexpected ${field} as ${describeType(value)}, expected ${expected}`, place: placeOf(field), hint: hint(field) });
    }
  }
  const duration = data.duration;
  if (duration !== undefined && duration !== null && !isScalar(duration)) {
    report({
      reason: `Unexpected duration as ${describeType(duration)}, expected a duration such as \`4h\``,
      place: placeOf("duration"),
      hint: "Or leave it out: it is derived from `started` and `resolved`.",
    });
  } else if (duration !== undefined && duration !== null && parseDuration(duration) === undefined) {
    report({
      reason: `Unexpected duration \`${shown(duration)}\`, expected a duration such as \`4h\`, \`90m\` or \`1h30m\``,
      place: placeOf("duration"),
      hint: "Or leave it out: it is derived from `started` and `resolved`.",
    });
  }
});
