import { dayOf, parseDate, type Instant } from "../util/time.js";
import { DATE_FIELDS } from "./dates.js";
import { lintRule } from "./rule.js";

/** `frontmatter/timestamps`: started ≤ detected ≤ mitigated ≤ resolved. */
export const timestampOrder = lintRule({ id: "frontmatter/timestamps", severity: "error", needsFrontmatter: true }, ({ pm, placeOf }, report) => {
  let previous: { field: string; instant: Instant } | undefined;
  for (const field of DATE_FIELDS.slice(1)) {
    const instant = parseDate(pm.meta.data[field]);
    if (!instant) continue;
    if (previous && isBefore(instant, previous.instant)) {
      report({
        reason: `Unexpected \`${field}\` before \`${previous.field}\`, expected started ≤ detected ≤ mitigated ≤ resolved`,
        place: placeOf(field),
        hint: "Check the time zone of each timestamp (`Z` is UTC) and the order of the fields.",
      });
    }
    previous = { field, instant };
  }
});

/** A plain date means "some time that day" (UTC): against it, only the day counts. Instants, never strings, are compared. */
function isBefore(a: Instant, b: Instant): boolean {
  if (a.hasTime && b.hasTime) return a.ms < b.ms;
  return dayOf(a) < dayOf(b);
}
