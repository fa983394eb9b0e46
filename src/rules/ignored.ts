import { DATE_FIELDS } from "./dates.js";
import { lintRule } from "./rule.js";

/**
 * True for a value a reserved field cannot hold and that is read as absent rather than as a
 * mistake: a boolean in a date field (a status page's `resolved: true`).
 */
export function isIgnoredValue(field: string, value: unknown): boolean {
  return typeof value === "boolean" && (DATE_FIELDS as readonly string[]).includes(field);
}

/**
 * `frontmatter/ignored`: a key that collides with a reserved field but has another type (a
 * status page's `resolved: true`) is a warning and read as absent, not a failed build; lists and
 * mappings stay `frontmatter/type` errors.
 */
export const ignored = lintRule({ id: "frontmatter/ignored", severity: "warning", needsFrontmatter: true }, ({ pm, placeOf }, report) => {
  for (const field of DATE_FIELDS) {
    const value = pm.meta.data[field];
    if (!isIgnoredValue(field, value)) continue;
    report({
      reason: `Unexpected ${field} \`${String(value)}\`, expected a date-time; ignored`,
      place: placeOf(field),
      hint: `Write \`${field}: 2024-02-10T09:30:00Z\`, or map the field to another key with \`fields.map\` (\`{ "${field}": "${field}_at" }\`).`,
    });
  }
});
