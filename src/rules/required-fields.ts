import { isIgnoredValue } from "./ignored.js";
import { isGiven, lintRule } from "./rule.js";

/** `frontmatter/required`: every field of `fields.required` is present (title and date may fall back). */
export const requiredFields = lintRule({ id: "frontmatter/required", severity: "error", needsFrontmatter: true }, ({ pm, config, placeOf }, report) => {
  for (const field of config.requiredFields) {
    const value = pm.meta.data[field];
    if (isGiven(value) && !isIgnoredValue(field, value)) continue;
    // The H1 and a dated file name stand in for a missing title and date (parse warns about them).
    if (field === "title" && pm.meta.titleFrom === "heading") continue;
    if (field === "date" && pm.meta.date !== undefined) continue;
    // So do the values read from the text (an info message says where).
    if (pm.meta.fromText.includes(field)) continue;
    const present = pm.places.has(field);
    report({
      reason: present ? `Unexpected empty \`${field}\`, expected a value (it is required)` : `Missing required field \`${field}\``,
      place: placeOf(field),
      hint: `Add \`${field}: ${EXAMPLES[field] ?? "…"}\` to the frontmatter${pm.source.text.startsWith("---") ? "" : " (a `---` block at the top of the file)"}.`,
    });
  }
});

const EXAMPLES: Record<string, string> = {
  title: "Login outage after token cache flush",
  date: "2024-02-10T09:30:00Z",
  severity: "SEV2",
  services: "[auth]",
};
