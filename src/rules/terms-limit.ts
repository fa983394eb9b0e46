import { toList } from "../util/format.js";
import { lintRule } from "./rule.js";

/**
 * `limits/terms`: a postmortem gives each taxonomy at most `limits.terms` terms. Each term is a
 * page of the archive: 20,000 tags in 129 KB of frontmatter would make 20,000 pages.
 */
export const termsLimit = lintRule({ id: "limits/terms", severity: "error", needsFrontmatter: true }, ({ pm, config, placeOf }, report) => {
  const max = config.limits.terms;
  for (const key of config.taxonomies) {
    if (key === "severity") continue;
    const count = new Set(key === "services" ? pm.meta.services : key === "tags" ? pm.meta.tags : toList(pm.meta.data[key])).size;
    if (count <= max) continue;
    report({
      reason: `Unexpected ${count} ${key}, expected at most ${max} (limits.terms)`,
      place: placeOf(key),
      hint: `Each of them is a page of the archive: keep the ones that help a reader find this postmortem, or raise limits.terms in the config.`,
    });
  }
});
