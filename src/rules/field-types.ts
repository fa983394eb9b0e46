import { parseDuration } from "../util/time.js";
import { describeType, lintRule } from "./rule.js";

const TEXT_FIELDS = ["title", "summary", "impact", "incident_id", "slug"] as const;
const LIST_FIELDS = ["authors", "tags"] as const;

/** `frontmatter/type`: text fields are text, list fields are lists of text, `duration` reads as one. */
export const fieldTypes = lintRule({ id: "frontmatter/type", severity: "error", needsFrontmatter: true }, ({ pm, placeOf }, report) => {
  const data = pm.meta.data;
  for (const field of TEXT_FIELDS) {
    const value = data[field];
    if (value === undefined || value === null || typeof value === "string" || typeof value === "number") continue;
    report({ reason: `Unexpected ${field} as ${describeType(value)}, expected text`, place: placeOf(field), hint: `Write \`${field}:\` as one line of text; quote it if it contains \`: \`.` });
  }
  for (const field of LIST_FIELDS) {
    const value = data[field];
    if (value === undefined || value === null || typeof value === "string") continue;
    if (Array.isArray(value) && value.every((item) => typeof item === "string" || typeof item === "number")) continue;
    report({ reason: `Unexpected ${field} as ${describeType(value)}, expected a list of text`, place: placeOf(field), hint: `Write \`${field}: [first, second]\`.` });
  }
  const duration = data.duration;
  if (duration !== undefined && duration !== null && parseDuration(duration) === undefined) {
    report({ reason: `Unexpected duration \`${String(duration)}\`, expected a duration such as \`4h\`, \`90m\` or \`1h30m\``, place: placeOf("duration"), hint: "Or leave it out: it is derived from `started` and `resolved`." });
  }
});
