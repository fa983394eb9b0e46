import { describe, expect, it } from "vitest";
import { TermIds } from "../../src/search/term-ids.js";

describe("term ids read in place", () => {
  it("gives each term one id, in the order first met, as a Map of the terms would, past the table's growth", () => {
    // 40,000 terms (the table of 65,536 slots grows past 32,768), each met three times.
    const words = Array.from({ length: 40_000 }, (_, i) => `${i % 7 === 0 ? "é" : ""}t${i.toString(36)}`);
    const text = words.join(" ");
    const starts: number[] = [];
    for (let at = 0, i = 0; i < words.length; at += words[i]!.length + 1, i++) starts.push(at);
    const ids = new TermIds();
    const reference = new Map<string, number>();
    const got: number[] = [];
    const expected: number[] = [];
    for (let round = 0; round < 3; round++) {
      words.forEach((word, i) => {
        if (!reference.has(word)) reference.set(word, reference.size);
        expected.push(reference.get(word)!);
        got.push(ids.idOf(text, starts[i]!, starts[i]! + word.length));
      });
    }
    expect(got).toEqual(expected);
    expect(ids.terms).toEqual([...reference.keys()]);
  });

  it("tells apart terms that share a start, an end or a length", () => {
    const text = "ab abc bc abd ab";
    const ids = new TermIds();
    const at = (term: string, from = 0) => text.indexOf(term, from);
    expect([ids.idOf(text, 0, 2), ids.idOf(text, 3, 6), ids.idOf(text, 7, 9), ids.idOf(text, 10, 13), ids.idOf(text, at("ab", 11), 16)]).toEqual([
      0, 1, 2, 3, 0,
    ]);
    expect(ids.terms).toEqual(["ab", "abc", "bc", "abd"]);
  });
});
