import type { ResolvedConfig } from "../config.js";
import type { RenderedPostmortem, Taxonomy, Term } from "../types.js";
import { termKey, termsOf } from "../util/terms.js";
import { hashText } from "../util/hash.js";
import { getOrAdd, mustGet } from "../util/lookup.js";
import { relatedPostmortems } from "./related.js";
import { slugOrHash } from "../util/slug.js";

/** The archive as the templates see it: postmortems in order, with their taxonomies. */
export interface Site {
  /** Newest first; undated ones last. */
  readonly postmortems: readonly RenderedPostmortem[];
  readonly taxonomies: readonly Taxonomy[];
  /** Postmortems by year, newest year first (`years/<yyyy>/`). */
  readonly years: Taxonomy;
  /** Related postmortems by slug. */
  readonly related: ReadonlyMap<string, readonly RenderedPostmortem[]>;
}

/** The id of a term's page, or undefined when the taxonomy is not configured or has no such term. */
export function termIdOf(site: Site, key: string, label: string): string | undefined {
  return site.taxonomies.find((t) => t.key === key)?.ids.get(termKey(label));
}

const collator = new Intl.Collator("en", { sensitivity: "base", numeric: true });

/** Sorts postmortems newest first and groups them into the configured taxonomies. */
export function organize(rendered: readonly RenderedPostmortem[], config: ResolvedConfig): Site {
  const postmortems = [...rendered].sort(newestFirst);
  const taxonomies = config.taxonomies.map((key) => (key === "severity" ? severityTaxonomy(postmortems, config) : listTaxonomy(key, postmortems)));
  return { postmortems, taxonomies, years: yearTaxonomy(postmortems), related: relatedPostmortems(postmortems) };
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
  const ids = new Map(config.severities.map((level) => [termKey(level.id), slugOrHash(level.id)]));
  return { key: "severity", label: "Severity", singular: "level", terms, ids };
}

function yearTaxonomy(postmortems: readonly RenderedPostmortem[]): Taxonomy {
  const terms: { id: string; label: string; postmortems: RenderedPostmortem[] }[] = [];
  // Newest first already, so years come out newest first too.
  for (const pm of postmortems) {
    if (!pm.meta.year) continue;
    const last = terms[terms.length - 1];
    if (last?.id === pm.meta.year) last.postmortems.push(pm);
    else terms.push({ id: pm.meta.year, label: pm.meta.year, postmortems: [pm] });
  }
  return { key: "years", label: "Years", singular: "year", terms, ids: new Map(terms.map((t) => [t.id, t.id])) };
}

function listTaxonomy(key: string, postmortems: readonly RenderedPostmortem[]): Taxonomy {
  const byKey = new Map<string, { label: string; postmortems: RenderedPostmortem[] }>();
  for (const pm of postmortems) {
    const seen = new Set<string>();
    for (const label of termsOf(pm.meta, key)) {
      const k = termKey(label);
      if (seen.has(k)) continue;
      seen.add(k);
      // The first spelling met (in archive order) labels the term; later ones join it.
      getOrAdd(byKey, k, () => ({ label, postmortems: [] })).postmortems.push(pm);
    }
  }
  const ids = assignIds([...byKey.keys()]);
  const terms = [...byKey].map(([k, term]) => ({ id: mustGet(ids, k, "the term ids"), ...term }));
  terms.sort((a, b) => collator.compare(a.label, b.label) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const singular = key === "services" ? "service" : key === "tags" ? "tag" : key.replace(/(ies|s)$/, (m) => (m === "ies" ? "y" : ""));
  return { key, label: key.charAt(0).toUpperCase() + key.slice(1), singular, terms, ids };
}

/**
 * Gives each term a URL id, its slug. Different terms can share a slug (`C#` and `C`, `🔥 db`
 * and `db`): the first in code-point order keeps it, the others get a hash of the term
 * appended. Every term's own slug is reserved first, so that an appended id never takes the
 * slug of another term (`db-61650a` written as a tag): ids are unique by construction, and do
 * not depend on the order of files.
 */
export function assignIds(keys: readonly string[]): Map<string, string> {
  const sorted = [...keys].sort().map((k) => ({ k, slug: slugOrHash(k) }));
  const taken = new Set<string>();
  const ids = new Map<string, string>();
  // First pass: each slug to the first term that has it.
  for (const { k, slug } of sorted) {
    if (taken.has(slug)) continue;
    taken.add(slug);
    ids.set(k, slug);
  }
  for (const { k, slug } of sorted) {
    if (ids.has(k)) continue;
    const hash = hashText(k);
    let id = `${slug}-${hash.slice(0, 6)}`;
    for (let n = 8; taken.has(id); n += 2) id = n <= hash.length ? `${slug}-${hash.slice(0, n)}` : `${slug}-${hash}-${n}`;
    taken.add(id);
    ids.set(k, id);
  }
  return ids;
}

/** A taxonomy's terms on one postmortem: the key, the taxonomy's label, each term once, spelled as written. */
export interface OwnTerms {
  readonly key: string;
  readonly label: string;
  readonly terms: readonly string[];
}

/**
 * The terms a postmortem has in the configured taxonomies other than services, severity and
 * tags (its page shows those in their own places): `company`, `categories`, in config order.
 */
export function customTermsOf(site: Site, pm: RenderedPostmortem): OwnTerms[] {
  return site.taxonomies
    .filter((taxonomy) => !["services", "severity", "tags"].includes(taxonomy.key))
    .map((taxonomy) => {
      const seen = new Set<string>();
      const terms = termsOf(pm.meta, taxonomy.key).filter((label) => !seen.has(termKey(label)) && Boolean(seen.add(termKey(label))));
      return { key: taxonomy.key, label: taxonomy.label, terms };
    })
    .filter((own) => own.terms.length > 0);
}
