import type { RenderedPostmortem } from "../types.js";
import { toList } from "../util/format.js";
import { getOrAdd, mustGet } from "../util/lookup.js";

const MAX_RELATED = 5;
const WEIGHT = { explicit: 100, service: 3, tag: 1 } as const;

/**
 * The postmortems related to each one: those listed in its `related:` frontmatter (by slug or
 * file path), then those sharing the most services and tags. `postmortems` is in archive
 * order (newest first), which breaks ties. Candidates come from shared terms, never all pairs.
 */
export function relatedPostmortems(postmortems: readonly RenderedPostmortem[]): Map<string, RenderedPostmortem[]> {
  const order = new Map(postmortems.map((pm, i) => [pm, i]));
  const byKey = new Map<string, RenderedPostmortem>();
  for (const pm of postmortems) {
    byKey.set(pm.meta.slug, pm);
    byKey.set(pm.source.relPath, pm);
    byKey.set(pm.source.relPath.replace(/\.(md|markdown)$/i, ""), pm);
  }
  const byTerm = new Map<string, RenderedPostmortem[]>();
  const termsOf = (pm: RenderedPostmortem) => [...pm.meta.services.map((s) => `s:${s.toLowerCase()}`), ...pm.meta.tags.map((t) => `t:${t.toLowerCase()}`)];
  for (const pm of postmortems) {
    for (const term of new Set(termsOf(pm))) getOrAdd(byTerm, term, () => []).push(pm);
  }
  const related = new Map<string, RenderedPostmortem[]>();
  for (const pm of postmortems) {
    const scores = new Map<RenderedPostmortem, number>();
    const add = (other: RenderedPostmortem | undefined, weight: number) => {
      if (other && other !== pm) scores.set(other, (scores.get(other) ?? 0) + weight);
    };
    for (const key of toList(pm.meta.data.related)) add(byKey.get(key.replace(/^\/+/, "")), WEIGHT.explicit);
    for (const term of new Set(termsOf(pm))) {
      const sharers = mustGet(byTerm, term, "the postmortems per term");
      // A term every postmortem shares says nothing about relatedness; skip the very common ones.
      if (sharers.length > 200) continue;
      for (const other of sharers) add(other, term.startsWith("s:") ? WEIGHT.service : WEIGHT.tag);
    }
    const rank = (other: RenderedPostmortem) => mustGet(order, other, "the archive's order");
    const ranked = [...scores].sort(([a, sa], [b, sb]) => sb - sa || rank(a) - rank(b));
    related.set(
      pm.meta.slug,
      ranked.slice(0, MAX_RELATED).map(([other]) => other),
    );
  }
  return related;
}
