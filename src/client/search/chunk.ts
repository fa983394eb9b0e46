// Runs in the browser (served beside the search client as chunk.js) and in Node's tests: the
// index's term chunks, as fetched and read. Imports only the format.
import { CHUNK_NAME, type ChunkRange, type SearchMeta } from "./format.js";

/** A term chunk's terms in sorted order, with where each one's postings start and how many there are. */
export interface Chunk {
  readonly bytes: Uint8Array;
  readonly terms: readonly string[];
  readonly counts: Uint32Array;
  readonly offsets: Uint32Array;
}

const MAX_PREFIX_CHUNKS = 4;

/** A read past the end of a chunk's bytes or terms: a truncated file, or a bug. */
export function pastTheEnd(): never {
  throw new RangeError("A term chunk of the search index was read past its end");
}

/** Reads a varint at `at.i`, moving it on. */
function varint(bytes: Uint8Array, at: { i: number }): number {
  let value = 0;
  let shift = 1;
  for (;;) {
    const b = bytes[at.i++] ?? pastTheEnd();
    value += (b & 0x7f) * shift;
    if (b < 0x80) return value;
    shift *= 128;
  }
}

/**
 * A chunk's bytes as fetched: gzip-compressed by the builder, inflated here; or inflated already,
 * by a host that served them with `Content-Encoding: gzip` (a chunk itself never starts with
 * gzip's magic bytes: its first term's length is followed by the term's first UTF-8 byte).
 */
export async function inflate(buffer: ArrayBuffer): Promise<ArrayBuffer> {
  const bytes = new Uint8Array(buffer);
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return buffer;
  return new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"))).arrayBuffer();
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
export function lowerBound(terms: readonly string[], term: string): number {
  let low = 0;
  let high = terms.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((terms[mid] ?? pastTheEnd()) < term) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** The chunks `meta.json` lists, in term order: each one's first term and file. */
export function chunkRanges(meta: Pick<SearchMeta, "chunkTerms" | "chunkFiles">): ChunkRange[] {
  if (meta.chunkTerms === "") return [];
  return meta.chunkTerms.split(" ").map((first, i) => [first, `c/${meta.chunkFiles.slice(i * CHUNK_NAME, (i + 1) * CHUNK_NAME)}.bin`] as const);
}

/** The chunks that can hold a term, or any term starting with a prefix, in term order, at most MAX_PREFIX_CHUNKS. */
export function chunksFor(chunks: readonly ChunkRange[], term: string, prefix: string | undefined): string[] {
  // The chunk that would hold a term: the last whose first term is not after it (-1: before them all).
  const holder = (t: string) => {
    let low = 0;
    let high = chunks.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((chunks[mid] ?? pastTheEnd())[0] <= t) low = mid + 1;
      else high = mid;
    }
    return low - 1;
  };
  const picked = new Set<number>();
  const own = holder(term);
  if (own >= 0) picked.add(own);
  if (prefix !== undefined) for (let i = Math.max(0, holder(prefix)); i <= holder(`${prefix}\uffff`); i++) picked.add(i);
  return [...picked]
    .sort((a, b) => a - b)
    .slice(0, MAX_PREFIX_CHUNKS)
    .map((i) => (chunks[i] ?? pastTheEnd())[1]);
}
