import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import remarkGfm from "remark-gfm";
import remarkParse from "remark-parse";
import { unified } from "unified";
import { describe, expect, it } from "vitest";
import { parseMarkdown } from "../../src/stages/markdown.js";
import { repoRoot, sharedDir } from "../helpers.js";

// The reference: remark with remark-gfm, every construct on for every body.
const remark = unified().use(remarkParse).use(remarkGfm).freeze();
const same = (text: string) => expect(JSON.stringify(parseMarkdown(text)), JSON.stringify(text)).toBe(JSON.stringify(remark.parse(text)));

function markdownFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((file) => /\.(md|markdown)$/i.test(file))
    .map((file) => path.join(dir, file));
}

describe("parseMarkdown: remark-gfm's tree, with only the constructs a body has the characters for", () => {
  it("gives remark-gfm's tree, positions included, for every real postmortem, the seed and the fixtures", () => {
    const files = [
      ...markdownFiles(path.join(sharedDir, "corpus/real")),
      ...markdownFiles(path.join(sharedDir, "seed")),
      ...markdownFiles(path.join(repoRoot, "test/fixtures")),
      path.join(repoRoot, "README.md"),
    ];
    expect(files.length).toBeGreaterThan(500);
    for (const file of files) same(fs.readFileSync(file, "utf8"));
  });

  it("finds each construct from the characters it needs, however rare its form", () => {
    // Tables of one column with no pipe, aligned by a colon against a dash.
    for (const text of ["a\n:-", "a\n-:", "a\n:-:\nb", "a\n---", "a | b\n-|-\nc | d"]) same(text);
    expect(parseMarkdown("a\n:-").children[0]?.type).toBe("table");
    // Literal links in any case, and emails (`mailto:` and `xmpp:` too).
    for (const text of ["WwW.example.com", "HTTPS://example.com/a", "write to a.b+c@example.org.", "mailto:a@b.co xmpp:a@b.co/r"]) same(text);
    // Character references make the text of a link the source does not spell: the tree is
    // linked after parsing, so this is looked for in the text, not the source.
    for (const text of ["a&#64;example.com", "&#x77;ww.example.com", "&#104;ttp://example.com", "a&commat;example.com"]) same(text);
    expect(JSON.stringify(parseMarkdown("write to a&#64;example.com"))).toContain('"url":"mailto:a@example.com"');
    // Footnotes, strikethrough and tasks.
    for (const text of ["a[^1]\n\n[^1]: b", "[\n^1]\n\n[^1]: b", "~a~ ~~b~~", "- [ ] a\n- [x] b\n- [\t] c"]) same(text);
  });

  it("gives remark-gfm's tree for fuzzed Markdown made of every construct's characters", () => {
    const pieces = [
      ...[
        "a",
        "b c",
        "www",
        "www.",
        "www.x.io",
        "http",
        "https://x.io/p?q=1",
        "HTTP://",
        "@",
        "a@b.co",
        "mailto:",
        "xmpp:",
        "&#64;",
        "&commat;",
        "&#x77;",
        "&amp;",
      ],
      ...["|", " | ", ":-", "-:", "-", "---", ":", "~", "~~", "[^1]", "[^1]: n", "[", "]", "(", ")", "[x]", "[ ]", "^", "!"],
      ...["*", "**", "_", "`", "\\", "<b>", "<", ">", "#", "\n", "\n\n", "  ", "\t", "> ", "- ", "1. ", "    ", "```"],
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 40 }), (parts) => {
        same(parts.join(""));
      }),
      { numRuns: 3000, seed: 17 },
    );
  });
});
