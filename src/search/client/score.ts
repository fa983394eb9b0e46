// Runs in the browser (served beside the search client as score.js) and in Node's tests: reads
// the index's term chunks and ranks documents. It imports only the tokenizer; the stemmer and
// the way chunks are fetched are passed in.
import { STOPWORDS, termOf, words } from "./tokenize.js";

/** A term chunk's terms in sorted order, with where each one's postings start and how many there are. */
export interface Chunk {
  readonly bytes: Uint8Array;
  readonly terms: readonly string[];
  readonly counts: Uint32Array;
  readonly offsets: Uint32Array;
}

/** One word of a query: the term it must match, the prefix it may complete, and the chunks that hold them. */
export interface Plan {
  readonly term: string;
  readonly prefix: string | undefined;
  readonly chunks: Promise<Chunk[]>;
}

/** Documents matching every word, with the score of each (indexed by document id). */
export interface Scored {
  readonly docs: number[];
  readonly scores: Float64Array;
}

/** A chunk's first term, last term and file, as listed in `meta.json`. */
export type ChunkRange = readonly [string, string, string];

const MAX_PREFIX_TERMS = 60;
const MAX_PREFIX_CHUNKS = 4;
/** A word completed from a prefix counts a little less than the word itself. */
const PREFIX_FACTOR = 0.8;

/** Reads a varint at `at.i`, moving it on. */
function varint(bytes: Uint8Array, at: { i: number }): number {
  let value = 0;
  let shift = 1;
  for (;;) {
    const b = bytes[at.i++]!;
    value += (b & 0x7f) * shift;
    if (b < 0x80) return value;
    shift *= 128;
  }
}

/**
 * Lists a term chunk's terms (term, posting count, postings' byte length, postings…) without
 * decoding any postings: each term's byte length lets the reader jump over them. Measured at
 * 10,000 postmortems, this takes about a millisecond for a 24 KB chunk.
 */
export function readChunk(buffer: ArrayBuffer): Chunk {
  const bytes = new Uint8Array(buffer);
  const decoder = new TextDecoder();
  const terms: string[] = [];
  const counts: number[] = [];
  const offsets: number[] = [];
  const at = { i: 0 };
  while (at.i < bytes.length) {
    const length = varint(bytes, at);
    terms.push(decoder.decode(bytes.subarray(at.i, at.i + length)));
    at.i += length;
    counts.push(varint(bytes, at));
    const size = varint(bytes, at);
    offsets.push(at.i);
    at.i += size;
  }
  return { bytes, terms, counts: Uint32Array.from(counts), offsets: Uint32Array.from(offsets) };
}

/** The first index whose term is not before `term` (terms are sorted as the builder sorts them). */
function lowerBound(terms: readonly string[], term: string): number {
  let low = 0;
  let high = terms.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (terms[mid]! < term) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** The chunks that can hold a term, or any term starting with a prefix. */
export function chunksFor(chunks: readonly ChunkRange[], term: string, prefix: string | undefined): string[] {
  const covers = ([first, last]: ChunkRange) => first <= term && term <= last;
  const overlaps = ([first, last]: ChunkRange) => prefix !== undefined && last >= prefix && first <= `${prefix}\uffff`;
  return chunks.filter((chunk) => covers(chunk) || overlaps(chunk)).slice(0, MAX_PREFIX_CHUNKS).map(([, , file]) => file);
}

/**
 * Plans a query: its words' terms and, while the last word is still being typed (no space
 * after it), that word as a prefix. Loading each word's chunks starts at once, all together.
 */
export function planQuery(query: string, chunks: readonly ChunkRange[], stem: (word: string) => string, load: (file: string) => Promise<Chunk>): Plan[] {
  const all = words(query).filter((w) => !STOPWORDS.has(w));
  const typing = !/\s$/.test(query);
  return all.map((word, index) => {
    const term = termOf(word, stem);
    const prefix = typing && index === all.length - 1 ? word : undefined;
    return { term, prefix, chunks: Promise.all(chunksFor(chunks, term, prefix).map(load)) };
  });
}

/**
 * Keeps, per document, the best weight of any term matching one word of the query; returns how
 * many documents it saw first. The varint is read inline: this loop runs once per posting, and
 * on a first query it runs before the JIT has compiled it.
 */
function addPostings(chunk: Chunk, index: number, factor: number, best: Float32Array, seen: number[] | undefined): number {
  const bytes = chunk.bytes;
  const scale = factor / 255;
  let i = chunk.offsets[index]!;
  let doc = 0;
  let fresh = 0;
  for (let j = chunk.counts[index]!; j > 0; j--) {
    let b = bytes[i++]!;
    if (b < 0x80) doc += b;
    else {
      let value = b & 0x7f;
      let shift = 0x80;
      do {
        b = bytes[i++]!;
        value += (b & 0x7f) * shift;
        shift *= 0x80;
      } while (b >= 0x80);
      doc += value;
    }
    const weight = bytes[i++]! * scale;
    const old = best[doc]!;
    if (old === 0) {
      fresh++;
      seen?.push(doc);
    }
    if (weight > old) best[doc] = weight;
  }
  return fresh;
}

/** A word's best weight per document, and how many documents it matches. */
async function wordWeights(docCount: number, plan: Plan, seen: number[] | undefined): Promise<{ best: Float32Array; matches: number }> {
  const best = new Float32Array(docCount);
  let matches = 0;
  let expansions = 0;
  for (const chunk of await plan.chunks) {
    const exact = lowerBound(chunk.terms, plan.term);
    if (chunk.terms[exact] === plan.term) matches += addPostings(chunk, exact, 1, best, seen);
    if (plan.prefix === undefined) continue;
    for (let i = lowerBound(chunk.terms, plan.prefix); i < chunk.terms.length && chunk.terms[i]!.startsWith(plan.prefix); i++) {
      if (chunk.terms[i] === plan.term) continue;
      if (expansions++ >= MAX_PREFIX_TERMS) break;
      matches += addPostings(chunk, i, PREFIX_FACTOR, best, seen);
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
  let candidates: number[] = [];
  for (const [index, plan] of plans.entries()) {
    if (index > 0 && candidates.length === 0) break;
    const { best, matches } = await wordWeights(docCount, plan, index === 0 ? candidates : undefined);
    const weight = idf(matches);
    const next: number[] = [];
    for (const doc of candidates) {
      if (best[doc] === 0) continue;
      scores[doc] = scores[doc]! + weight * best[doc]!;
      next.push(doc);
    }
    candidates = next;
  }
  return { docs: candidates, scores };
}

/** Whether document `a` ranks before `b`: higher score first, then newer (lower id). */
function before(scores: Float64Array, a: number, b: number): boolean {
  return scores[a]! > scores[b]! || (scores[a] === scores[b] && a < b);
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
    if (scores[doc]! < floor || (top.length === k && !before(scores, doc, top[k - 1]!))) continue;
    let i = Math.min(top.length, k - 1);
    while (i > 0 && before(scores, doc, top[i - 1]!)) i--;
    top.splice(i, 0, doc);
    if (top.length > k) top.pop();
    if (top.length === k) floor = scores[top[k - 1]!]!;
  }
  return top;
}

/** Every document in rank order. */
export function rankAll(docs: readonly number[], scores: Float64Array): number[] {
  return [...docs].sort((a, b) => scores[b]! - scores[a]! || a - b);
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
  const plans: Plan[] = [{ term: "warmer", prefix: undefined, chunks }, { term: "warm", prefix: "warm", chunks }];
  const result = await score(1 << 15, plans);
  if (result) topByScore(result.docs, result.scores, 10);
}
