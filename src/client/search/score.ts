// Runs in the browser (served beside the search client as score.js) and in Node's tests: ranks
// documents over the chunks a query planned. The stemmer and the way chunks are fetched are
// the caller's.
import { lowerBound, pastTheEnd, type Chunk } from "./chunk.js";
import type { Plan } from "./query.js";

/** How a query matched: each matched index term and prefix, with the query word it belongs to. */
export interface Matched {
  readonly terms: Map<string, number>;
  readonly prefixes: (readonly [string, number])[];
}

/** Documents matching every word, with the score of each (indexed by document id), and what matched. */
export interface Scored {
  readonly docs: number[];
  readonly scores: Float64Array;
  readonly matched: Matched;
}

const MAX_PREFIX_TERMS = 60;
/** A word completed from a prefix counts a little less than the word itself. */
const PREFIX_FACTOR = 0.8;
/** A word matched with a typo counts for less. */
const TYPO_FACTOR = 0.5;
const MAX_TYPO_TERMS = 20;

/**
 * Adds one term's postings to a word's weights, keeping each document's best weight; returns
 * how many documents it saw first. The varint is read inline: this loop runs once per posting,
 * and on a first query it runs before the JIT has compiled it.
 */
function addPostings(chunk: Chunk, index: number, factor: number, best: Float32Array, seen: number[] | undefined): number {
  const bytes = chunk.bytes;
  const scale = factor / 255;
  let i = chunk.offsets[index] ?? pastTheEnd();
  let doc = 0;
  let fresh = 0;
  for (let j = chunk.counts[index] ?? pastTheEnd(); j > 0; j--) {
    let b = bytes[i++] ?? pastTheEnd();
    if (b < 0x80) doc += b;
    else {
      let value = b & 0x7f;
      let shift = 0x80;
      do {
        b = bytes[i++] ?? pastTheEnd();
        value += (b & 0x7f) * shift;
        shift *= 0x80;
      } while (b >= 0x80);
      doc += value;
    }
    const weight = (bytes[i++] ?? pastTheEnd()) * scale;
    const old = best[doc] ?? noDocument(doc);
    if (old === 0) {
      fresh++;
      seen?.push(doc);
    }
    if (weight > old) best[doc] = weight;
  }
  return fresh;
}

/** A document id past the archive's documents: a chunk that is not this archive's, or a bug. */
function noDocument(doc: number): never {
  throw new RangeError(`The search index has no document ${doc}`);
}

/** One word's best weight per document, and how many documents it matches. */
interface WordWeights {
  readonly best: Float32Array;
  readonly matches: number;
}

/** A word's weights: its term, the words its prefix completes, then its typos; `matched` learns the terms found. */
async function wordWeights(docCount: number, plan: Plan, word: number, matched: Matched, seen: number[] | undefined): Promise<WordWeights> {
  const best = new Float32Array(docCount);
  const chunks = await plan.chunks;
  let matches = 0;
  let expansions = 0;
  for (const chunk of chunks) {
    const exact = lowerBound(chunk.terms, plan.term);
    if (chunk.terms[exact] === plan.term) {
      matches += addPostings(chunk, exact, 1, best, seen);
      matched.terms.set(plan.term, word);
    }
    if (plan.prefix === undefined) continue;
    for (let i = lowerBound(chunk.terms, plan.prefix); ; i++) {
      const term = chunk.terms[i];
      if (term === undefined || !term.startsWith(plan.prefix)) break;
      if (term === plan.term) continue;
      if (expansions++ >= MAX_PREFIX_TERMS) break;
      matches += addPostings(chunk, i, PREFIX_FACTOR, best, seen);
      matched.terms.set(term, word);
    }
  }
  if (plan.prefix !== undefined) matched.prefixes.push([plan.prefix, word]);
  // Typos are tried only when the word as typed finds nothing, exactly or as a prefix: so they
  // always rank below exact and prefix matches, and a word that is found (`openai`) is not
  // blurred by its neighbours (`open`). They are looked for in the chunks loaded already: a
  // typo costs no transfer.
  if (matches > 0 || plan.typos.length === 0) return { best, matches };
  let typos = 0;
  for (const chunk of chunks) {
    for (const term of plan.typos) {
      const at = lowerBound(chunk.terms, term);
      if (chunk.terms[at] !== term || typos++ >= MAX_TYPO_TERMS) continue;
      matches += addPostings(chunk, at, TYPO_FACTOR, best, seen);
      matched.terms.set(term, word);
    }
  }
  return { best, matches };
}

/**
 * An identifier found by its parts when no document has it whole (`database_url` written
 * `database url`): the documents that have every part, each weighted by the parts' mean.
 */
async function partsWeights(docCount: number, parts: readonly Plan[], word: number, matched: Matched): Promise<WordWeights> {
  const weights = await Promise.all(parts.map((part) => wordWeights(docCount, part, word, matched, undefined)));
  const best = new Float32Array(docCount);
  let matches = 0;
  for (let doc = 0; doc < docCount; doc++) {
    let sum = 0;
    for (const { best: partBest } of weights) {
      const weight = partBest[doc] ?? noDocument(doc);
      if (weight === 0) {
        sum = 0;
        break;
      }
      sum += weight;
    }
    if (sum > 0) {
      best[doc] = sum / weights.length;
      matches++;
    }
  }
  return { best, matches };
}

/**
 * Scores every document that matches all the words of the query: BM25 weights from the index
 * times each word's idf. The first word's documents are the candidates; each further word only
 * keeps some of them, so scores are summed over the few that match every word. Dense typed
 * arrays over all documents are faster than maps here. Undefined when the query has no word.
 */
export async function score(docCount: number, plans: readonly Plan[]): Promise<Scored | undefined> {
  if (plans.length === 0) return undefined;
  const idf = (matches: number) => Math.log(1 + (docCount - matches + 0.5) / (matches + 0.5));
  const scores = new Float64Array(docCount);
  const matched: Matched = { terms: new Map(), prefixes: [] };
  let candidates: number[] = [];
  for (const [index, plan] of plans.entries()) {
    if (index > 0 && candidates.length === 0) break;
    const seen: number[] = [];
    let weights = await wordWeights(docCount, plan, index, matched, index === 0 ? seen : undefined);
    if (weights.matches === 0 && plan.parts().length > 0) {
      weights = await partsWeights(docCount, plan.parts(), index, matched);
      if (index === 0) for (const [doc, w] of weights.best.entries()) if (w > 0) seen.push(doc);
    }
    if (index === 0) candidates = seen;
    const { best } = weights;
    const weight = idf(weights.matches);
    const next: number[] = [];
    for (const doc of candidates) {
      const docWeight = best[doc] ?? noDocument(doc);
      if (docWeight === 0) continue;
      scores[doc] = (scores[doc] ?? noDocument(doc)) + weight * docWeight;
      next.push(doc);
    }
    candidates = next;
  }
  return { docs: candidates, scores, matched };
}

/** Whether document `a` ranks before `b`: higher score first, then newer (lower id). */
function before(scores: Float64Array, a: number, b: number): boolean {
  const scoreA = scores[a] ?? noDocument(a);
  const scoreB = scores[b] ?? noDocument(b);
  return scoreA > scoreB || (scoreA === scoreB && a < b);
}

/**
 * The `k` best documents in rank order, in one pass: the first page of results needs no sort
 * of every match (thousands for a common word).
 */
export function topByScore(docs: readonly number[], scores: Float64Array, k: number): number[] {
  const top: number[] = [];
  // The k-th best score so far: most documents fall below it and cost one comparison.
  let floor = -Infinity;
  for (const doc of docs) {
    // The k-th document, once there are k.
    const last = top[k - 1];
    if ((scores[doc] ?? noDocument(doc)) < floor || (last !== undefined && !before(scores, doc, last))) continue;
    const place = top.findIndex((other) => before(scores, doc, other));
    top.splice(place === -1 ? top.length : place, 0, doc);
    if (top.length > k) top.pop();
    const kth = top[k - 1];
    if (kth !== undefined) floor = scores[kth] ?? noDocument(kth);
  }
  return top;
}

/** Every document in rank order. */
export function rankAll(docs: readonly number[], scores: Float64Array): number[] {
  return [...docs].sort((a, b) => (before(scores, a, b) ? -1 : 1));
}

/**
 * Scores a made-up chunk once, so that the JIT has compiled the loops that run once per posting
 * before the reader's first query (run cold, they take tens of milliseconds for a common word).
 */
export async function warmUp(): Promise<void> {
  const postings = 4000;
  const bytes = new Uint8Array(postings * 3 + 16);
  const counts = new Uint32Array(2);
  const offsets = new Uint32Array(2);
  let i = 0;
  for (let term = 0; term < 2; term++) {
    offsets[term] = i;
    counts[term] = postings / 2;
    for (let j = 0; j < postings / 2; j++) {
      // Most gaps fit a byte; some take two, as in a real chunk.
      if (j % 16 === 0) bytes.set([0x81, 0x01], (i += 2) - 2);
      else bytes[i++] = 1 + (j % 3);
      bytes[i++] = 1 + ((j * 37) % 255);
    }
  }
  const chunk: Chunk = { bytes, terms: ["warm", "warmer"], counts, offsets };
  const chunks = Promise.resolve([chunk]);
  const plans: Plan[] = [
    { term: "warmer", prefix: undefined, typos: [], parts: () => [], chunks },
    { term: "warm", prefix: "warm", typos: ["warmest"], parts: () => [], chunks },
  ];
  const result = await score(1 << 15, plans);
  if (result) topByScore(result.docs, result.scores, 10);
}
