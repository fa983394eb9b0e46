import { EXTRACTORS } from "../config.js";

/**
 * Every rule id a message can carry, sorted: what `rules` in the config may name. A test checks
 * it against the ids written in src/, so that a new rule cannot be left out.
 */
export const RULE_IDS: readonly string[] = Object.freeze(
  [
    "content/too-deep",
    "date/lenient",
    ...EXTRACTORS.map((id) => `extract/${id}`),
    "frontmatter/date",
    "frontmatter/ignored",
    "frontmatter/required",
    "frontmatter/services",
    "frontmatter/severity",
    "frontmatter/status",
    "frontmatter/syntax",
    "frontmatter/timestamps",
    "frontmatter/type",
    "image/alt",
    "image/data-uri",
    "image/invalid",
    "image/missing",
    "image/outside",
    "image/scheme",
    "image/too-large",
    "image/unreachable",
    "limits/data-bytes",
    "limits/data-total-bytes",
    "limits/file-bytes",
    "limits/memory",
    "limits/output-bytes",
    "limits/terms",
    "limits/time",
    "links/postmortem",
    "sections/bold-heading",
    "sections/duplicate",
    "sections/empty",
    "sections/missing",
    "slug/unique",
    "title/fallback",
  ].sort(),
);
