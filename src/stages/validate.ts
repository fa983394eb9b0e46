import type { ResolvedConfig } from "../config.js";
import { checkUniqueSlugs, rules } from "../rules/index.js";
import type { ParsedPostmortem } from "../types.js";

const FILE_START = Object.freeze({ line: 1, column: 1 });

/** Runs every rule over every parsed postmortem, and the rules across files; problems become messages. */
export function validate(parsed: readonly ParsedPostmortem[], config: ResolvedConfig): void {
  const sources = new Set(parsed.map((pm) => pm.source.relPath));
  for (const pm of parsed) {
    const context = { pm, config, sources, placeOf: (field: string) => pm.places.get(field)?.value ?? FILE_START };
    for (const rule of rules) rule.check(context);
  }
  checkUniqueSlugs(parsed.map((pm) => ({ slug: pm.meta.slug, relPath: pm.source.relPath, file: pm.file, slugPlace: pm.places.get("slug")?.value })));
}
