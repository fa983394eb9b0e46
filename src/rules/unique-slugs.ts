import path from "node:path";
import type { Point } from "unist";
import type { VFile } from "vfile";
import { addProblem } from "../util/messages.js";

/** What the rule needs of a postmortem: its slug, its path and where it says `slug:`. */
export interface SlugOwner {
  readonly slug: string;
  readonly relPath: string;
  readonly file: VFile;
  readonly slugPlace: Point | undefined;
}

/** Reports every postmortem whose slug (its page's URL) is also another file's, naming the others. */
export function checkUniqueSlugs(owners: readonly SlugOwner[]): void {
  const bySlug = new Map<string, SlugOwner[]>();
  for (const owner of owners) {
    const group = bySlug.get(owner.slug);
    if (group) group.push(owner);
    else bySlug.set(owner.slug, [owner]);
  }
  for (const [slug, group] of bySlug) {
    if (group.length < 2) continue;
    for (const owner of group) {
      const others = group.filter((other) => other !== owner).map((other) => other.relPath);
      addProblem(owner.file, {
        reason: `Unexpected slug \`${slug}\`, also used by ${others.join(", ")}`,
        ruleId: "slug/unique",
        place: owner.slugPlace,
        hint: `Give one of them a distinct \`slug:\` in its frontmatter, or rename ${path.basename(owner.relPath)}.`,
        severity: "error",
      });
    }
  }
}
