import type { SectionSpec } from "../config.js";

/** Lower-cases and collapses whitespace, for comparing headings. */
function normalizeHeading(text: string): string {
  return text.toLowerCase().replace(/\s+/g, " ").trim();
}

/**
 * The section a heading stands for, or undefined. A heading matches when it equals the
 * section's name or an alias, or starts with one followed by punctuation or a bracket
 * (`Timeline (all times UTC)` is a Timeline), ignoring case and whitespace.
 */
export function matchSection(heading: string, sections: readonly SectionSpec[]): SectionSpec | undefined {
  const text = normalizeHeading(heading);
  let best: { spec: SectionSpec; length: number } | undefined;
  for (const spec of sections) {
    for (const candidate of [spec.name, ...spec.aliases]) {
      const name = normalizeHeading(candidate);
      const matches =
        text === name || (text.startsWith(name) && /^\s*[\p{P}\p{S}([{]/u.test(text.slice(name.length)));
      // The longest name wins: "Root Cause Analysis: …" is that alias, not "Root Cause".
      if (matches && (!best || name.length > best.length)) best = { spec, length: name.length };
    }
  }
  return best?.spec;
}
