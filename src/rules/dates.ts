import { readDate } from "../util/time.js";
import { isScalar, lintRule, shown } from "./rule.js";

/** The frontmatter fields that hold dates, in the order they must follow. */
export const DATE_FIELDS = ["date", "started", "detected", "mitigated", "resolved"] as const;

/** `frontmatter/date`: `date` and the incident timestamps are real ISO 8601 dates or date-times, from year 0001 to 9999. */
export const dates = lintRule({ id: "frontmatter/date", severity: "error", needsFrontmatter: true }, ({ pm, placeOf }, report) => {
  for (const field of DATE_FIELDS) {
    const value = pm.meta.data[field];
    // A boolean (`resolved: true`) is `frontmatter/ignored`'s: a warning, not a bad date.
    if (value === undefined || value === null || !isScalar(value) || typeof value === "boolean") continue;
    const date = readDate(value);
    if (date.ok) continue;
    report(
      date.error === "out-of-range"
        ? {
            reason: `Unexpected ${field} \`${shown(value)}\` outside the years 0001 to 9999`,
            place: placeOf(field),
            hint: "Check the year: an archive holds dates from 0001-01-01 to 9999-12-31 (UTC).",
          }
        : {
            reason: `Unexpected ${field} \`${shown(value)}\`, expected an ISO 8601 date or date-time`,
            place: placeOf(field),
            hint: `Write it as \`2024-02-10\` or \`2024-02-10T09:30:00Z\` (UTC) or with an offset, \`2024-02-10T11:30:00+02:00\`.`,
          },
    );
  }
});
