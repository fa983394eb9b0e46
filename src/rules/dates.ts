import { parseInstant } from "../util/time.js";
import { lintRule } from "./rule.js";

/** The frontmatter fields that hold dates, in the order they must follow. */
export const DATE_FIELDS = ["date", "started", "detected", "mitigated", "resolved"] as const;

/** `frontmatter/date`: `date` and the incident timestamps are real ISO 8601 dates or date-times. */
export const dates = lintRule({ id: "frontmatter/date", severity: "error", needsFrontmatter: true }, ({ pm, placeOf }, report) => {
  for (const field of DATE_FIELDS) {
    const value = pm.meta.data[field];
    if (value === undefined || value === null || parseInstant(value)) continue;
    report({
      reason: `Unexpected ${field} \`${String(value)}\`, expected an ISO 8601 date or date-time`,
      place: placeOf(field),
      hint: `Write it as \`2024-02-10\` or \`2024-02-10T09:30:00Z\` (UTC) or with an offset, \`2024-02-10T11:30:00+02:00\`.`,
    });
  }
});
