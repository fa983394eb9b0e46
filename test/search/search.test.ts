import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { build, generate } from "../../src/build.js";
import { buildSearchIndex, FRAGMENT_NAME, type SearchMeta } from "../../src/search/build-index.js";
import { contentsOf } from "../../src/types.js";
import { NAMES_PER_PAGE } from "../../src/shared/search/format.js";
import { chunkRanges, chunksFor, inflate, readChunk, type Chunk } from "../../src/client/search/chunk.js";
import { planQuery } from "../../src/client/search/query.js";
import { rankAll, score, topByScore, warmUp } from "../../src/client/search/score.js";
import { STOPWORDS } from "../../src/shared/search/tokenize.js";
import { stemmer } from "stemmer";
import { fixtureArchive, listFiles, numberedArchive, tempDir, words } from "../helpers.js";

/** The fragments' names in document order, read from a built archive's pages of names. */
function fragmentNames(out: string, meta: SearchMeta): string[] {
  const text = meta.names.map((page) => fs.readFileSync(path.join(out, "search/n", `${page}.txt`), "utf8")).join("");
  return [...text.matchAll(new RegExp(`.{${FRAGMENT_NAME}}`, "g"))].map(([name]) => name);
}

/** Reads a term chunk (gzip-compressed): term, posting count, postings' byte length, then varint doc deltas and a weight byte each. */
function decode(compressed: Buffer): Map<string, [number, number][]> {
  const bytes = gunzipSync(compressed);
  const out = new Map<string, [number, number][]>();
  let i = 0;
  const varint = () => {
    let value = 0;
    let shift = 1;
    for (;;) {
      const b = bytes[i++]!;
      value += (b & 0x7f) * shift;
      if (b < 0x80) return value;
      shift *= 128;
    }
  };
  while (i < bytes.length) {
    const length = varint();
    const term = bytes.subarray(i, i + length).toString("utf8");
    i += length;
    const postings: [number, number][] = [];
    let doc = 0;
    const count = varint();
    varint(); // byte length of the postings, for skipping
    for (let n = count; n > 0; n--) {
      doc += varint();
      postings.push([doc, bytes[i++]!]);
    }
    out.set(term, postings);
  }
  return out;
}

describe("search index", () => {
  const out = path.join(tempDir(), "site");
  let meta: SearchMeta;
  let postings: Map<string, [number, number][]>;
  beforeAll(async () => {
    await build({ offline: true, root: fixtureArchive, out });
    meta = JSON.parse(fs.readFileSync(path.join(out, "search/meta.json"), "utf8")) as SearchMeta;
    postings = new Map(chunkRanges(meta).flatMap(([, file]) => [...decode(fs.readFileSync(path.join(out, "search", meta.base, file)))]));
  });

  it("cuts words the same way for the index and the browser: no diacritics, identifiers whole", () => {
    expect(words("Café-Crème: 504s, retries!")).toEqual(["cafe-creme", "504s", "retries"]);
  });

  it("indexes every postmortem's words, title words weighing more than body words", () => {
    expect(meta.docs).toBe(4);
    // Doc ids follow the archive order: 0 is the newest (Payments latency), 1 Login outage.
    const flush = postings.get("flush")!;
    expect(flush.map(([doc]) => doc)).toEqual([1]);
    const replica = postings.get("replica")!;
    expect(replica.map(([doc]) => doc)).toEqual([0]);
    const cache = postings.get("cach")!;
    expect(cache.length).toBeGreaterThan(0);
    expect(postings.has("the")).toBe(false);
  });

  it("lists its one chunk by its first term, and keeps its files under a content-hashed folder", () => {
    expect(chunkRanges(meta).map(([first]) => first)).toEqual([[...postings.keys()].sort((a, b) => (a < b ? -1 : 1))[0]]);
    const files = listFiles(path.join(out, "search"));
    const fragments = files.filter((f) => f.startsWith("f/"));
    expect(files.filter((f) => !f.startsWith(`${meta.base}/`) && !f.startsWith("f/") && !f.startsWith("n/"))).toEqual(["index.html", "meta.json"]);
    expect(files).toContain(`${meta.base}/search.js`);
    // A fragment per postmortem, named by its contents' hash, in document order in the pages of names.
    expect(meta.names).toHaveLength(1);
    expect(files.filter((f) => f.startsWith("n/"))).toEqual([`n/${meta.names[0]}.txt`]);
    expect(fragmentNames(out, meta)).toHaveLength(4);
    expect(fragments.sort()).toEqual(
      fragmentNames(out, meta)
        .map((name) => `f/${name}.json`)
        .sort(),
    );
    for (const file of fragments) {
      const contents = fs.readFileSync(path.join(out, "search", file));
      expect(file).toBe(`f/${createHash("sha256").update(contents).digest("base64url").slice(0, FRAGMENT_NAME)}.json`);
    }
  });

  it("gives an edited postmortem a new fragment and leaves the others' names as they were", async () => {
    const root = tempDir();
    fs.cpSync(fixtureArchive, root, { recursive: true });
    const site = path.join(root, "dist");
    await build({ offline: true, root, out: site });
    const before = fragmentNames(site, JSON.parse(fs.readFileSync(path.join(site, "search/meta.json"), "utf8")) as SearchMeta);
    const file = listFiles(path.join(root, "content")).find((f) => f.endsWith(".md"))!;
    fs.appendFileSync(path.join(root, "content", file), "\nOne more sentence about flamingos.\n");
    await build({ offline: true, root, out: site });
    const after = fragmentNames(site, JSON.parse(fs.readFileSync(path.join(site, "search/meta.json"), "utf8")) as SearchMeta);
    const changed = after.filter((name, doc) => name !== before[doc]);
    expect(changed).toHaveLength(1);
    expect(fs.readFileSync(path.join(site, "search/f", `${changed[0]}.json`), "utf8")).toContain("flamingos");
    // The old fragment is gone; the others are the same files.
    expect(listFiles(path.join(site, "search/f"))).toHaveLength(4);
  });

  it("pages the fragments' names, 256 a page, so that meta.json stays small at any size", async () => {
    const count = NAMES_PER_PAGE + 44;
    const root = numberedArchive(count);
    const result = await build({ root, offline: true, workers: 0 });
    expect(result.ok).toBe(true);
    const site = path.join(root, "dist");
    const m = JSON.parse(fs.readFileSync(path.join(site, "search/meta.json"), "utf8")) as SearchMeta;
    expect(m.docs).toBe(count);
    expect(m.names).toHaveLength(2);
    const names = fragmentNames(site, m);
    expect(names).toHaveLength(count);
    expect(new Set(names).size).toBe(count);
    // The document that the index gives for a title's number has that title in the fragment its place names, on either page.
    // Through the chunk the browser would fetch for the term.
    const chunks = chunkRanges(m);
    const docOf = (term: string) =>
      chunksFor(chunks, term, undefined)
        .map((file) => decode(fs.readFileSync(path.join(site, "search", m.base, file))).get(term)?.[0]?.[0])
        .find((doc) => doc !== undefined);
    const pages = new Set<number>();
    // (Words of one character are not indexed: the numbers start at 100.)
    const missing = [...Array(count).keys()].filter((i) => docOf(String(100 + i)) === undefined);
    expect(missing).toEqual([]);
    for (let i = 0; i < count; i++) {
      const doc = docOf(String(100 + i));
      pages.add(Math.floor(doc! / NAMES_PER_PAGE));
      const fragment = JSON.parse(fs.readFileSync(path.join(site, "search/f", `${names[doc!]}.json`), "utf8")) as { title: string };
      expect(fragment.title).toBe(`Outage number ${100 + i}`);
    }
    expect([...pages].sort()).toEqual([0, 1]);
    expect(fs.statSync(path.join(site, "search/meta.json")).size).toBeLessThan(4_000);
  });

  it("has facet bitsets that match the counts", () => {
    const severity = meta.facets.severity!;
    expect(severity.values).toEqual([
      ["SEV1", 1],
      ["SEV2", 1],
      ["SEV3", 2],
    ]);
    const bits = JSON.parse(fs.readFileSync(path.join(out, "search", meta.base, severity.file), "utf8")) as Record<string, string>;
    const docsOf = (value: string) =>
      [...Buffer.from(bits[value] ?? "", "base64")].flatMap((byte, i) => [0, 1, 2, 3, 4, 5, 6, 7].filter((b) => byte & (1 << b)).map((b) => i * 8 + b));
    expect(docsOf("SEV3")).toEqual([2, 3]);
  });

  describe("the browser's scorer, over the built chunks", () => {
    const load = async (file: string): Promise<Chunk> => {
      const bytes = fs.readFileSync(path.join(out, "search", meta.base, file));
      return readChunk(await inflate(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length)));
    };
    const search = async (query: string, typos = false) => {
      const result = await score(meta.docs, planQuery(query, chunkRanges(meta), { stem: stemmer, stopwords: STOPWORDS, typos }, load));
      return result && rankAll(result.docs, result.scores);
    };

    it("fetches the one chunk that can hold a word, and the chunks a typed prefix spans, at most four", () => {
      const ranges = chunkRanges({ chunkTerms: "b d f h k m", chunkFiles: "000000000001000000000002000000000003000000000004000000000005000000000006" });
      expect(ranges[1]).toEqual(["d", "c/000000000002.bin"]);
      const files = (term: string, prefix?: string) => chunksFor(ranges, term, prefix).map((file) => Number(file.slice(2, 14)));
      expect(files("a")).toEqual([]);
      expect([files("b"), files("c"), files("dz"), files("z")]).toEqual([[1], [1], [2], [6]]);
      // "e…" runs from the chunk of "e" to the chunk of "e\uffff", both the one from "d"; any word spans all six, the first four fetched.
      expect(files("e", "e")).toEqual([2]);
      expect(files("b", "")).toEqual([1, 2, 3, 4]);
      expect(files("fa", "f")).toEqual([3]);
      expect(files("g", "g")).toEqual([3]);
      expect(files("a", "a")).toEqual([]);
      expect(chunksFor(chunkRanges({ chunkTerms: "", chunkFiles: "" }), "a", "a")).toEqual([]);
    });

    it("lists a chunk's terms in order, with their posting counts, without decoding postings", async () => {
      for (const [, file] of chunkRanges(meta)) {
        const chunk = await load(file);
        const expected = decode(fs.readFileSync(path.join(out, "search", meta.base, file)));
        expect(chunk.terms).toEqual([...expected.keys()]);
        expect([...chunk.counts]).toEqual([...expected.values()].map((list) => list.length));
      }
    });

    it("finds a word's documents, a typed prefix's completions, and requires every word", async () => {
      expect(await search("flushing")).toEqual([1]);
      // "replic" completes to "replica" while it is typed, not once a space follows it.
      expect(await search("replic")).toEqual([0]);
      expect(await search("replic ")).toEqual([]);
      expect(await search("replica flushing")).toEqual([]);
      expect(await search("the")).toBeUndefined();
    });

    it("finds an identifier that no postmortem has whole by its parts, every part required", async () => {
      // "token" and "flush" are in the login outage's title, never joined.
      expect(await search("token_flush ")).toEqual([1]);
      expect(await search("token-flushing ")).toEqual(await search("token flushing "));
      // "replica" is the payments postmortem's alone: no document has both parts.
      expect(await search("replica_flush ")).toEqual([]);
    });

    it("finds a word typed with one typo only when it finds nothing as typed", async () => {
      expect(await search("flushng", true)).toEqual([1]);
      expect(await search("replicaa ", true)).toEqual([0]);
      expect(await search("flushng", false)).toEqual([]);
      // Too short for a typo: four letters.
      expect(await search("flsh ", true)).toEqual([]);
    });

    it("reads chunks compressed, and as a host that inflated them already serves them", async () => {
      const [, file] = chunkRanges(meta)[0]!;
      const compressed = fs.readFileSync(path.join(out, "search", meta.base, file));
      expect([...compressed.subarray(0, 2)]).toEqual([0x1f, 0x8b]);
      const plain = gunzipSync(compressed);
      const fromPlain = readChunk(await inflate(plain.buffer.slice(plain.byteOffset, plain.byteOffset + plain.length)));
      expect(fromPlain.terms).toEqual((await load(file)).terms);
    });

    it("picks the same first page as a full sort, ties going to the newer postmortem", () => {
      const scores = Float64Array.from({ length: 50 }, (_, doc) => (doc * 7919) % 13);
      const docs = Array.from({ length: 50 }, (_, doc) => 49 - doc);
      for (const k of [1, 10, 50, 60]) expect(topByScore(docs, scores, k)).toEqual(rankAll(docs, scores).slice(0, k));
    });

    it("warms up on made-up postings, touching nothing else", async () => {
      await expect(warmUp()).resolves.toBeUndefined();
    });
  });

  it("cuts many terms into chunks listed by their first terms, sorted and disjoint", async () => {
    // Forty postmortems of 400 words each that no other has: 16,000 terms and more.
    const root = numberedArchive(40);
    for (let i = 0; i < 40; i++) {
      const words = Array.from({ length: 400 }, (_, j) => `zq${i}w${j}`).join(" ");
      fs.appendFileSync(path.join(root, "content", `pm-${i}.md`), `\n${words}\n`);
    }
    const { result, made } = await generate({ offline: true, root, cache: false });
    const postmortems = made?.site.postmortems ?? [];
    const index = buildSearchIndex(postmortems, result.config);
    const files = new Map(index.files.map((file) => [file.path, Buffer.from(contentsOf(file))]));
    // Each chunk's terms from its first listed, sorted, and before the next chunk's first.
    const chunks = chunkRanges(index.meta).map(([first, file]) => ({ first, terms: [...decode(files.get(`search/${index.meta.base}/${file}`)!).keys()] }));
    expect(chunks.length).toBeGreaterThan(4);
    chunks.forEach(({ first, terms }, i) => {
      expect(terms[0]).toBe(first);
      expect([...terms].sort((a, b) => (a < b ? -1 : 1))).toEqual(terms);
      if (i > 0) expect(chunks[i - 1]!.terms.at(-1)! < first).toBe(true);
    });
  });

  it("is deterministic: the same archive gives the same index folder", async () => {
    const again = path.join(tempDir(), "site");
    await build({ offline: true, root: fixtureArchive, out: again });
    expect((JSON.parse(fs.readFileSync(path.join(again, "search/meta.json"), "utf8")) as SearchMeta).base).toBe(meta.base);
  });
});
