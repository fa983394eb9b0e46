import { describeType, lintRule } from "./rule.js";

/** `frontmatter/services`: `services` is a service id or a list of them (an empty one is `frontmatter/required`'s). */
export const services = lintRule({ id: "frontmatter/services", severity: "error", needsFrontmatter: true }, ({ pm, placeOf }, report) => {
  const value = pm.meta.data.services;
  if (value === undefined || value === null || typeof value === "string") return;
  if (Array.isArray(value) && value.every((v) => typeof v === "string" && v.trim() !== "")) return;
  report({
    reason: `Unexpected services as ${Array.isArray(value) ? "a list with an item that is not a name" : describeType(value)}, expected a list of service ids`,
    place: placeOf("services"),
    hint: "Write `services: [auth, api-gateway]`, naming at least one service.",
  });
});
