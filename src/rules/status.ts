import { STATUSES } from "../types.js";
import { isScalar, lintRule, shown } from "./rule.js";

/**
 * `frontmatter/status`: the status is `draft`, `in-review` or `final`. An unknown one is a
 * warning and reads as `final`: archives carry workflow states of their own (`published`, `closed`).
 */
export const status = lintRule({ id: "frontmatter/status", severity: "warning", needsFrontmatter: true }, ({ pm, placeOf }, report) => {
  const value = pm.meta.data.status;
  if (
    value === undefined ||
    value === null ||
    !isScalar(value) ||
    (typeof value === "string" && (STATUSES as readonly string[]).includes(value.trim().toLowerCase()))
  )
    return;
  report({
    reason: `Unexpected status \`${shown(value)}\`, expected one of ${STATUSES.join(", ")}; read as final`,
    place: placeOf("status"),
    hint: "Drafts are left out of the archive unless built with --drafts; leave `status` out for a final postmortem.",
  });
});
