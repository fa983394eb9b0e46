import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import type { Element, Root } from "hast";
import { fromHtml } from "hast-util-from-html";
import { sanitize } from "hast-util-sanitize";
import rehypeAutolinkHeadings from "rehype-autolink-headings";
import rehypeSlug from "rehype-slug";
import { unified } from "unified";
import { describe, expect, it } from "vitest";
import { anchorHeadings, slugHeadings } from "../../src/stages/headings.js";
import { rawHast, sanitizeSchema } from "../../src/stages/render.js";
import { parseText, sharedDir } from "../helpers.js";

// The references: the plugins these walks stand for, with render.ts's former options.
const notLabel = (node: Element) => node.properties.id !== "user-content-footnote-label";
const slugged = unified().use(rehypeSlug).freeze();
const anchored = unified()
  .use(rehypeAutolinkHeadings, {
    behavior: "append",
    properties: { className: ["anchor"], ariaHidden: "true", tabIndex: -1 },
    content: { type: "text", value: "#" },
    test: notLabel,
  })
  .freeze();

/** Both steps on two copies of a tree, ours and the plugins', compared after each. */
function same(tree: Root, label: string): void {
  const ours = structuredClone(tree);
  const theirs = structuredClone(tree);
  slugHeadings(ours);
  slugged.runSync(theirs);
  expect(ours, label).toEqual(theirs);
  anchorHeadings(ours, notLabel);
  anchored.runSync(theirs);
  expect(ours, label).toEqual(theirs);
}

describe("heading ids and anchors: rehype-slug's and rehype-autolink-headings'", () => {
  it("are the same on every real postmortem's sanitized body", () => {
    const dir = path.join(sharedDir, "corpus/real");
    const files = fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((file) => file.endsWith(".md"));
    expect(files.length).toBeGreaterThan(500);
    let headings = 0;
    for (const file of files) {
      const parsed = parseText(fs.readFileSync(path.join(dir, file), "utf8"), file);
      const tree = sanitize(rawHast(parsed), sanitizeSchema) as Root;
      headings += JSON.stringify(tree).split('"tagName":"h').length - 1;
      same(tree, file);
    }
    expect(headings).toBeGreaterThan(400);
  });

  it("are the same on fuzzed HTML: repeated and empty titles, ids given or empty, headings inside headings, footnote labels", () => {
    const pieces = [
      ...["<h1>", "<h2>", "<h3>", "<h6>", '<h2 id="x">', '<h3 id="">', '<h2 id="user-content-footnote-label">', "</h2>", "</h3>"],
      ...["<span>", "</span>", "<p>", "<a href='#x'>", "</a>", "<em>", "<h7>", "<div>", "</div>"],
      ...["Timeline", "timeline", "Timeline 1", "a-b", "É é", "💥", "  ", "#", "-", "x"],
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 30 }), (parts) => {
        same(fromHtml(parts.join(""), { fragment: true }), parts.join(""));
      }),
      { numRuns: 2000, seed: 5 },
    );
  });

  it("anchor a heading inside a heading that has one only once, at the outer heading", () => {
    const tree = fromHtml("<h2>Outer <span><h3>Inner</h3></span></h2><h3>Inner</h3>", { fragment: true });
    slugHeadings(tree);
    anchorHeadings(tree, () => true);
    const html = JSON.stringify(tree);
    expect(html.match(/"className":\["anchor"\]/g)).toHaveLength(2);
    expect(html).toContain('"href":"#outer-inner"');
    expect(html).toContain('"href":"#inner-1"');
  });
});
