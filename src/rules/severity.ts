import { mustAt } from "../util/lookup.js";
import { isScalar, lintRule, shown } from "./rule.js";

/** `frontmatter/severity`: the severity is a level of the configured scale (or one of its aliases). */
export const severity = lintRule({ id: "frontmatter/severity", severity: "error", needsFrontmatter: true }, ({ pm, config, placeOf }, report) => {
  const value = pm.meta.data.severity;
  // Lists and mappings are `frontmatter/type`'s to report.
  if (value === undefined || value === null || pm.meta.severity !== undefined || !isScalar(value)) return;
  // The config requires a level at least.
  const levels = config.severities.map((level) => level.id);
  report({
    reason: `Unexpected severity \`${shown(value)}\`, expected one of ${levels.join(", ")}`,
    place: placeOf("severity"),
    hint: `Use a level of the scale, ${mustAt(levels, 0, "the severity scale")} worst; other spellings can be added as \`aliases\` of a level in \`severities\` in the config.`,
  });
});
