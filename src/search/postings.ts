// The index's postings: every postmortem's term counts as BM25 weights, in flat typed arrays
// (millions of entries at 10,000 postmortems), and the term chunks the search client fetches.
import { gzipSync } from "node:zlib";
import type { ResolvedConfig } from "../config.js";
import type { OutputFile, RenderedPostmortem } from "../types.js";
import { hashText } from "../util/hash.js";
import { InternalError } from "../errors.js";
import { CHUNK_NAME } from "../shared/search/format.js";
import { ByteWriter } from "./encode.js";
import { docTerms } from "./terms.js";
import { TermIds } from "./term-ids.js";

// BM25 parameters, the usual ones; the per-document part of the score is computed here so that
// the browser needs no document lengths, only each term's postings.
const K1 = 1.2;
const B = 0.75;
const MAX_WEIGHT = K1 + 1;
const CHUNK_BYTES = 24 * 1024;

/** Every term's postings: term `t` has documents `docs[starts[t]…starts[t + 1]]`, in order, with their weights. */
export interface Postings {
  readonly terms: readonly string[];
  readonly starts: Uint32Array;
  readonly docs: Uint32Array;
  readonly weights: Uint8Array;
}

/**
 * Adds up every postmortem's term counts (see `docTerms`) and turns them into BM25 weights
 * (one byte each), in flat arrays of term ids rather than a map per postmortem.
 */
export function collectPostings(postmortems: readonly RenderedPostmortem[], config: ResolvedConfig): Postings {
  const ids = new TermIds();
  // Flat typed arrays grown as the counts come: millions of entries at 10,000 postmortems, one
  // per term and count. A count past 65,535 weighs as much as 65,535 (the weight is 255 long before).
  let entryTerm = new Uint32Array(1 << 16);
  let entryFreq = new Uint16Array(1 << 16);
  let entries = 0;
  const docEnd = new Uint32Array(postmortems.length);
  const lengths = new Float64Array(postmortems.length);
  postmortems.forEach((pm, doc) => {
    // Counted when the postmortem was processed, and read one at a time (from the cache, in most
    // builds: all at once they are 380 MB at 100,000); counted here for one that was not (tests, dev).
    const { length, counts } = pm.terms?.() ?? docTerms(pm.meta, pm.body().text, config);
    const end = entries + pairsIn(counts);
    if (end > entryTerm.length) {
      const size = Math.max(end, entryTerm.length * 2);
      entryTerm = grown(entryTerm, new Uint32Array(size));
      entryFreq = grown(entryFreq, new Uint16Array(size));
    }
    // "term count term count …", read in place: a split made two strings per entry.
    for (let at = 0; at < counts.length;) {
      const space = counts.indexOf(" ", at);
      if (space < 0) throw new InternalError(`a postmortem's term counts end with a term and no count, at ${at}`);
      const id = ids.idOf(counts, at, space);
      let freq = 0;
      let next = space + 1;
      for (let c = counts.charCodeAt(next); c >= 48 && c <= 57; c = counts.charCodeAt(++next)) freq = freq * 10 + (c - 48);
      if (entries === end) throw new InternalError("a postmortem's term counts have more terms than words");
      entryTerm[entries] = id;
      entryFreq[entries++] = Math.min(freq, 0xffff);
      at = next + 1;
    }
    docEnd[doc] = entries;
    lengths[doc] = length;
  });
  const { terms } = ids;
  // Counting sort by term: documents are visited in order, so each term's postings are too.
  const starts = new Uint32Array(terms.length + 1);
  for (const term of entryTerm.subarray(0, entries)) starts[term + 1] = (starts[term + 1] ?? pastTheEnd(term + 1)) + 1;
  // Each term's count, at its successor's place, becomes where its postings start.
  let total = 0;
  starts.forEach((count, t) => {
    total += count;
    starts[t] = total;
  });
  const next = starts.slice(0, terms.length);
  const docs = new Uint32Array(entries);
  const weights = new Uint8Array(entries);
  const avgLength = lengths.reduce((a, b) => a + b, 0) / Math.max(1, lengths.length);
  let entry = 0;
  docEnd.forEach((end, doc) => {
    const norm = K1 * (1 - B + (B * (lengths[doc] ?? pastTheEnd(doc))) / avgLength);
    for (; entry < end; entry++) {
      const f = entryFreq[entry] ?? pastTheEnd(entry);
      const term = entryTerm[entry] ?? pastTheEnd(entry);
      const place = next[term] ?? pastTheEnd(term);
      next[term] = place + 1;
      docs[place] = doc;
      weights[place] = Math.max(1, Math.round(((f * (K1 + 1)) / (f + norm) / MAX_WEIGHT) * 255));
    }
  });
  return { terms, starts, docs, weights };
}

/** A read past the end of a typed array the index builder sized itself: a bug. */
export function pastTheEnd(index: number): never {
  throw new InternalError(`the search index builder read past the end of an array, at ${index}`);
}

/** `to`, with `from` copied to its start. */
function grown<T extends Uint32Array | Uint16Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

/** The term-count pairs in a postmortem's counts: one per two words. */
function pairsIn(counts: string): number {
  if (counts === "") return 0;
  let words = 1;
  for (let at = counts.indexOf(" "); at !== -1; at = counts.indexOf(" ", at + 1)) words++;
  return words >> 1;
}

/** A term chunk as encoded, before compression: its first term and its bytes. */
export interface RawChunk {
  readonly first: string;
  readonly bytes: Uint8Array;
}

/** A term chunk's file, named by the hash of its compressed bytes. */
export interface ChunkFile {
  readonly first: string;
  /** Its file is `c/<name>.bin`. */
  readonly name: string;
  readonly file: OutputFile;
}

/**
 * The chunks compressed, each named by its bytes' hash. Compressed here, since most static hosts
 * serve a binary file as it is: the client inflates it (DecompressionStream). Level 9 and no
 * timestamp, so the bytes are the same every build. In this thread, one after another: 5 MB at
 * 10,000 postmortems take 0.1 s so, and 0.2-0.35 s all at once in zlib's thread pool on this
 * project's 2-core machine.
 */
export function compressChunks(chunks: readonly RawChunk[]): ChunkFile[] {
  return chunks.map(({ first, bytes }) => {
    const compressed = gzipSync(bytes, { level: 9 });
    const name = hashText(compressed).slice(0, CHUNK_NAME);
    return { first, name, file: { path: `c/${name}.bin`, contents: compressed } };
  });
}

/** The term chunks: terms in sorted order with their postings, about CHUNK_BYTES each before compression. */
export function encodeChunks(postings: Postings): RawChunk[] {
  const termOf = (id: number) => postings.terms[id] ?? pastTheEnd(id);
  // Term ids sorted by term: sorting [id, term] pairs instead took a tenth longer than the whole encoding.
  const order = postings.terms.map((_, id) => id).sort((a, b) => (termOf(a) < termOf(b) ? -1 : 1));
  const chunks: RawChunk[] = [];
  let writer = new ByteWriter();
  // One scratch writer for every term's postings: a writer per term was a 4 KB allocation each.
  const block = new ByteWriter();
  let first = "";
  let count = 0;
  const flush = () => {
    chunks.push({ first, bytes: writer.view() });
    writer = new ByteWriter();
    count = 0;
  };
  order.forEach((id, i) => {
    const term = termOf(id);
    if (count === 0) first = term;
    const from = postings.starts[id] ?? pastTheEnd(id);
    const to = postings.starts[id + 1] ?? pastTheEnd(id + 1);
    // Postings are written apart first so that their byte length can precede them: the client
    // skips the postings of every term it does not need without decoding them.
    block.reset();
    let previous = 0;
    for (let j = from; j < to; j++) {
      const doc = postings.docs[j] ?? pastTheEnd(j);
      block.varint(doc - previous);
      block.byte(postings.weights[j] ?? pastTheEnd(j));
      previous = doc;
    }
    const bytes = block.view();
    writer.text(term);
    writer.varint(to - from);
    writer.varint(bytes.length);
    writer.raw(bytes);
    count++;
    if (writer.size >= CHUNK_BYTES || i === order.length - 1) flush();
  });
  return chunks;
}
