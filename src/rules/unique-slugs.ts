import path from "node:path";
import type { ParsedPostmortem } from "../types.js";
import { report } from "../util/messages.js";

/** Reports every postmortem whose slug (its page's URL) is also another file's, naming the others. */
export function checkUniqueSlugs(parsed: readonly ParsedPostmortem[]): void {
  const bySlug = new Map<string, ParsedPostmortem[]>();
  for (const pm of parsed) {
    const group = bySlug.get(pm.meta.slug);
    if (group) group.push(pm);
    else bySlug.set(pm.meta.slug, [pm]);
  }
  for (const [slug, group] of bySlug) {
    if (group.length < 2) continue;
    for (const pm of group) {
      const others = group.filter((other) => other !== pm).map((other) => other.source.relPath);
      report(pm.file, {
        reason: `Unexpected slug \`${slug}\`, also used by ${others.join(", ")}`,
        ruleId: "slug/unique",
        place: pm.places.get("slug")?.value,
        hint: `Give one of them a distinct \`slug:\` in its frontmatter, or rename ${path.basename(pm.source.relPath)}.`,
        severity: "error",
      });
    }
  }
}
