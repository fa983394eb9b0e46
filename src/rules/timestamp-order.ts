import { parseInstant } from "../util/time.js";
import { DATE_FIELDS } from "./dates.js";
import { lintRule } from "./rule.js";

/** `frontmatter/timestamps`: started ≤ detected ≤ mitigated ≤ resolved. */
export const timestampOrder = lintRule({ id: "frontmatter/timestamps", severity: "error", needsFrontmatter: true }, ({ pm, placeOf }, report) => {
  let previous: { field: string; ms: number } | undefined;
  for (const field of DATE_FIELDS.slice(1)) {
    const instant = parseInstant(pm.meta.data[field]);
    if (!instant) continue;
    if (previous && instant.ms < previous.ms) {
      report({
        reason: `Unexpected \`${field}\` before \`${previous.field}\`, expected started ≤ detected ≤ mitigated ≤ resolved`,
        place: placeOf(field),
        hint: "Check the time zone of each timestamp (`Z` is UTC) and the order of the fields.",
      });
    }
    previous = { field, ms: instant.ms };
  }
});
