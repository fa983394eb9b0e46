import { describeType, lintRule } from "./rule.js";

/** `frontmatter/services`: `services` is a service id or a non-empty list of them. */
export const services = lintRule({ id: "frontmatter/services", severity: "error", needsFrontmatter: true }, ({ pm, placeOf }, report) => {
  const value = pm.meta.data.services;
  if (value === undefined || value === null) return;
  const valid = typeof value === "string" ? value.trim() !== "" : Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === "string" && v.trim() !== "");
  if (valid) return;
  report({
    reason: `Unexpected services ${Array.isArray(value) && value.length === 0 ? "list that is empty" : `as ${describeType(value)}`}, expected a list of service ids`,
    place: placeOf("services"),
    hint: "Write `services: [auth, api-gateway]`, naming at least one service.",
  });
});
