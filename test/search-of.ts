import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { chunkRanges, inflate, readChunk, type Chunk } from "../src/client/search/chunk.js";
import { planQuery } from "../src/client/search/query.js";
import { rankAll, score } from "../src/client/search/score.js";
import type { Fragment, SearchMeta } from "../src/shared/search/format.js";
import { STOPWORDS } from "../src/shared/search/tokenize.js";

/** A built archive's search, as the browser runs it: its meta, its own stemmer.js, its chunks from disk. */
export async function searchOf(out: string) {
  const meta = JSON.parse(fs.readFileSync(path.join(out, "search/meta.json"), "utf8")) as SearchMeta;
  const { stemmer } = (await import(pathToFileURL(path.join(out, "search", meta.base, "stemmer.js")).href)) as { stemmer: (w: string) => string };
  const load = async (file: string): Promise<Chunk> =>
    readChunk(await inflate(new Uint8Array(fs.readFileSync(path.join(out, "search", meta.base, file))).buffer));
  const names = meta.names.map((page) => fs.readFileSync(path.join(out, "search/n", `${page}.txt`), "utf8")).join("");
  const fragment = (doc: number) => JSON.parse(fs.readFileSync(path.join(out, "search/f", `${names.slice(doc * 8, doc * 8 + 8)}.json`), "utf8")) as Fragment;
  const options = { stem: stemmer, stopwords: meta.stopwords ? STOPWORDS : undefined, typos: meta.typos };
  const titles = async (query: string): Promise<string[]> => {
    const result = await score(meta.docs, planQuery(query, chunkRanges(meta), options, load));
    return result ? rankAll(result.docs, result.scores).map((doc) => fragment(doc).title) : [];
  };
  return { meta, stemmer, titles };
}
