import type { ResolvedConfig } from "../config.js";
import type { RenderedPostmortem, Taxonomy, Term } from "../types.js";
import { slugOrHash } from "../util/slug.js";

/** The archive as the templates see it: postmortems in order, with their taxonomies. */
export interface Site {
  /** Newest first; undated ones last. */
  readonly postmortems: readonly RenderedPostmortem[];
  readonly taxonomies: readonly Taxonomy[];
}

const collator = new Intl.Collator("en", { sensitivity: "base", numeric: true });

/** Sorts postmortems newest first and groups them into the configured taxonomies. */
export function organize(rendered: readonly RenderedPostmortem[], config: ResolvedConfig): Site {
  const postmortems = [...rendered].sort(newestFirst);
  const taxonomies = config.taxonomies.map((key) =>
    key === "severity" ? severityTaxonomy(postmortems, config) : listTaxonomy(key, postmortems),
  );
  return { postmortems, taxonomies };
}

/** Newest first, then by title and slug so that the order never changes between runs. */
export function newestFirst(a: RenderedPostmortem, b: RenderedPostmortem): number {
  const [da, db] = [a.meta.date ?? "", b.meta.date ?? ""];
  if (da !== db) return da < db ? 1 : -1;
  return collator.compare(a.meta.title, b.meta.title) || (a.meta.slug < b.meta.slug ? -1 : a.meta.slug > b.meta.slug ? 1 : 0);
}

function severityTaxonomy(postmortems: readonly RenderedPostmortem[], config: ResolvedConfig): Taxonomy {
  // Every level of the scale, worst first, even those with no postmortem yet.
  const terms: Term[] = config.severities.map((level) => ({
    id: slugOrHash(level.id),
    label: level.label,
    color: level.color,
    postmortems: postmortems.filter((pm) => pm.meta.severity === level.id),
  }));
  return { key: "severity", label: "Severity", singular: "level", terms };
}

function listTaxonomy(key: string, postmortems: readonly RenderedPostmortem[]): Taxonomy {
  const byId = new Map<string, { label: string; postmortems: RenderedPostmortem[] }>();
  for (const pm of postmortems) {
    const seen = new Set<string>();
    for (const label of termsOf(pm, key)) {
      const id = slugOrHash(label);
      if (seen.has(id)) continue;
      seen.add(id);
      // The first spelling met (in archive order) labels the term; later ones join it.
      const term = byId.get(id) ?? byId.set(id, { label, postmortems: [] }).get(id)!;
      term.postmortems.push(pm);
    }
  }
  const terms = [...byId].map(([id, term]) => ({ id, ...term }));
  terms.sort((a, b) => collator.compare(a.label, b.label) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const singular = key === "services" ? "service" : key === "tags" ? "tag" : key.replace(/(ies|s)$/, (m) => (m === "ies" ? "y" : ""));
  return { key, label: key.charAt(0).toUpperCase() + key.slice(1), singular, terms };
}

function termsOf(pm: RenderedPostmortem, key: string): readonly string[] {
  if (key === "services") return pm.meta.services;
  if (key === "tags") return pm.meta.tags;
  const value = pm.meta.data[key];
  const items = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  return items.filter((item) => typeof item === "string" || typeof item === "number").map((item) => String(item).trim()).filter(Boolean);
}
