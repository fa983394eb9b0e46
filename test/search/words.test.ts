import { stemmer } from "stemmer";
import { describe, expect, it } from "vitest";
import { excerpt, findMarks, type Mark } from "../../src/client/search/highlight.js";
import type { Matched } from "../../src/client/search/score.js";
import { typoTerms } from "../../src/client/search/query.js";
import fs from "node:fs";
import path from "node:path";
import { languageOf } from "../../src/search/languages.js";
import { fold, forEachWord, scanWords, STOPWORDS, wordTerms } from "../../src/shared/search/tokenize.js";
import { listFiles, repoRoot, sharedDir, words } from "../helpers.js";

const english = { stem: stemmer, stopwords: STOPWORDS };
const termsOf = (text: string) => {
  const out: string[] = [];
  for (const word of words(text)) wordTerms(word, stemmer, STOPWORDS, out);
  return out;
};
/** What a query matched, as the scorer reports it: terms (and prefixes) by query word. */
const matched = (terms: string[], prefixes: string[] = []): Matched => ({
  terms: new Map(terms.map((term, i) => [term, i])),
  prefixes: prefixes.map((prefix, i) => [prefix, terms.length + i] as const),
});
const marked = (text: string, marks: Mark[]) => marks.map((m) => text.slice(m.start, m.end));

describe("the tokenizer", () => {
  it("indexes identifiers whole and by their parts", () => {
    expect(termsOf("database_url")).toEqual(["database_url", "databas", "url"]);
    expect(termsOf("us-east-1")).toEqual(["us-east-1", "us", "east"]);
    expect(termsOf("ERR_CONNECTION_RESET")).toEqual(["err_connection_reset", "err", "connect", "reset"]);
    expect(termsOf("v1.2.3")).toEqual(["v1.2.3", "v1"]);
    expect(termsOf("10.0.0.1")).toEqual(["10.0.0.1", "10"]);
    expect(termsOf("OPS-123")).toEqual(["ops-123", "op", "123"]);
  });

  it("keeps short tokens with digits, unstemmed, and a stopword inside an identifier", () => {
    expect(termsOf("5xx p99 v2 504s")).toEqual(["5xx", "p99", "v2", "504s"]);
    // "at" is a stopword and "t" too short, but AT&T is a name.
    expect(termsOf("AT&T at the")).toEqual(["at&t"]);
  });

  it("treats a joiner at the end of a word as punctuation", () => {
    expect(words("Restarted us-east-1. Then db-2- and _x_")).toEqual(["restarted", "us-east-1", "then", "db-2", "and", "x"]);
  });

  it("folds case and diacritics, but not Japanese voicing marks", () => {
    expect(fold("Café")).toBe("cafe");
    expect(fold("ＤＢ")).toBe("db");
    expect(fold("データ")).toBe("データ");
  });

  it("cuts text the same way on the builder's fast path as in the browser, on real archives and odd joins", () => {
    const texts = ["a--b _x_ ..y.. us-east-1. Café-Crème AT&T 東京駅で-障害 ﬁle ½ e.g. -- ＤＢ-2 x.", "", "...", "naïve_café 5xx-errors"];
    for (const dir of [path.join(sharedDir, "corpus/real"), path.join(repoRoot, "test/fixtures/languages")]) {
      for (const file of listFiles(dir).filter((f) => f.endsWith(".md"))) texts.push(fs.readFileSync(path.join(dir, file), "utf8"));
    }
    expect(texts.length).toBeGreaterThan(500);
    for (const text of texts) {
      const fast: string[] = [];
      const scanned: string[] = [];
      forEachWord(text, (word) => fast.push(word));
      scanWords(text, (_start, _end, word) => scanned.push(fold(word)));
      expect(fast).toEqual(scanned);
    }
  });

  it("matches the words of a language without a stemmer as written, and stems those with one", () => {
    const polish = languageOf("pl");
    expect(polish.stem("awarie")).toBe("awarie");
    expect(polish.stopwords).toBeUndefined();
    expect(String(polish.clientModule())).toMatch(/export function stemmer\(word\) \{\n {2}return word;/);
    expect(languageOf("pt-BR").stem("falhas")).not.toBe("falhas");
    expect(languageOf("EN").stopwords).toBe(STOPWORDS);
  });

  it("cuts Chinese, Japanese and Korean runs into character pairs", () => {
    expect(termsOf("東京駅で障害")).toEqual(["東京", "京駅", "駅で", "で障", "障害"]);
    expect(termsOf("APIサーバー")).toEqual(["api", "サー", "ーバ", "バー"]);
  });
});

describe("typo candidates", () => {
  it("are the terms of every word one edit away, stemmed as the index stems", () => {
    const options = { ...english, typos: true };
    expect(typoTerms("replicaton", "replicaton", options)).toContain("replic");
    expect(typoTerms("kuberntes", "kuberntes", options)).toContain("kubernet");
    expect(typoTerms("kuberntes", "kuberntes", options)).not.toContain("kuberntes");
  });
});

describe("highlights", () => {
  it("mark every inflected form of a stemmed query word, whole", () => {
    const text = "Power was lost; the powered racks truncated tables during truncation.";
    const marks = findMarks(text, matched([stemmer("powers"), stemmer("truncation")]), english);
    expect(marked(text, marks)).toEqual(["Power", "powered", "truncated", "truncation"]);
  });

  it("never start or end inside a word", () => {
    const text = "Accidental CI/CD change; mitigations blocked the lock.";
    expect(marked(text, findMarks(text, matched([], ["ci"]), english))).toEqual(["CI"]);
    expect(marked(text, findMarks(text, matched(["lock"]), english))).toEqual(["lock"]);
    expect(marked(text, findMarks(text, matched([], ["io"]), english))).toEqual([]);
  });

  it("mark an identifier whole, or the part of it that matched", () => {
    const text = "DATABASE_URL pointed at us-east-1.";
    expect(marked(text, findMarks(text, matched(["database_url"]), english))).toEqual(["DATABASE_URL"]);
    expect(marked(text, findMarks(text, matched(["east"]), english))).toEqual(["east"]);
  });

  it("mark the Chinese, Japanese or Korean characters of a matched pair", () => {
    const text = "東京リージョンで配信遅延";
    expect(marked(text, findMarks(text, matched(["配信", "遅延"]), { stem: (w) => w, stopwords: undefined }))).toEqual(["配信", "遅延"]);
  });
});

describe("the excerpt", () => {
  const filler = (n: number) => Array.from({ length: n }, (_, i) => `word${i}`).join(" ");

  it("centres on the window with the most different query words, not the first match", () => {
    const text = `AT&T appears once here. ${filler(60)} In 1990 the AT&T network failed. ${filler(60)}`;
    const marks = findMarks(text, matched(["at&t", "1990"]), english);
    const shown = excerpt(text, marks);
    const marksShown = shown.filter((piece) => piece.marked).map((piece) => piece.text);
    expect(marksShown).toEqual(["1990", "AT&T"]);
    expect(shown[0]!.text).toBe("…");
  });

  it("is cut at spaces, and starts at the text's start without a match", () => {
    const text = filler(100);
    const shown = excerpt(text, []);
    expect(shown.map((p) => p.text).join("")).toMatch(/^word0 .* word\d+…$/);
  });
});
