import path from "node:path";
import type { ParsedPostmortem } from "../types.js";
import { report } from "../util/messages.js";

/** Reports every postmortem whose slug (its page's URL) is already taken by another file. */
export function checkUniqueSlugs(parsed: readonly ParsedPostmortem[]): void {
  const owners = new Map<string, ParsedPostmortem>();
  for (const pm of parsed) {
    const first = owners.get(pm.meta.slug);
    if (!first) {
      owners.set(pm.meta.slug, pm);
      continue;
    }
    report(pm.file, {
      reason: `Unexpected slug \`${pm.meta.slug}\`, already used by ${first.source.relPath}`,
      ruleId: "slug/unique",
      hint: `Give one of them a distinct \`slug:\` in its frontmatter, or rename ${path.basename(pm.source.relPath)}.`,
      severity: "error",
    });
  }
}
