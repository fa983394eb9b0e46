import type { Root as HastRoot } from "hast";
import type { Root as MdastRoot } from "mdast";
import { VFile } from "vfile";
import { describe, expect, it } from "vitest";
import { DEFAULT_SECTIONS } from "../src/config-defaults.js";
import { resolveConfig } from "../src/config.js";
import { refusedByName } from "../src/images/address.js";
import { decodeDataUri } from "../src/images/data-uri.js";
import { detectImageType } from "../src/images/detect.js";
import { rewriteImages } from "../src/images/rewrite.js";
import { sanitizeSvg } from "../src/images/svg.js";
import { extractActions } from "../src/stages/actions.js";
import { readFrontmatter } from "../src/stages/frontmatter.js";
import { tooDeeplyNested } from "../src/stages/nesting.js";
import { termKey } from "../src/util/terms.js";
import { normalizeSeverity, parse } from "../src/stages/parse.js";
import { authorsFromSection } from "../src/extract/authors.js";
import { dateFromText } from "../src/extract/date-from-text.js";
import { dateFromTimeline } from "../src/extract/date-from-timeline.js";
import { dateFromTitle } from "../src/extract/date-from-title.js";
import { labelledLines, parseWrittenDuration, splitNames } from "../src/extract/labelled-lines.js";
import { markdownLinkTarget } from "../src/util/md-links.js";
import { matchSection, scanSections } from "../src/util/sections.js";
import { slugFromPath, slugify, slugOrHash } from "../src/util/slug.js";
import { parseDuration, parseInstant, parseLenientInstant } from "../src/util/time.js";
import { imageStore } from "./helpers.js";

// Regression (issue 13): `looksLikeSvg` backtracked exponentially on adjacent comment groups,
// and a 281-byte "image" blocked check and build for good. Every function that runs a regex
// on content (Markdown text, frontmatter values, file names, image bytes, URLs) gets input
// built to make a backtracking pattern slow: long runs of what the pattern expects, then a
// character that makes it fail. Linear code takes a few milliseconds on 100 KB (the slowest,
// slugify on symbols, about 120 ms); a quadratic pattern takes minutes there, an exponential
// one forever: the limit leaves room for a busy CI machine.
const LIMIT_MS = 1_000;
const KB = 1024;

/** `unit` repeated to about `bytes`, then `tail`. */
function run(unit: string, bytes: number, tail = "!"): string {
  return unit.repeat(Math.ceil(bytes / unit.length)) + tail;
}

/** Fails if `fn` takes too long: the faster of two runs, so that a JIT warm-up or a GC pause does not count. */
async function expectFast(fn: () => unknown): Promise<void> {
  let ms = Infinity;
  for (let run = 0; run < 2; run++) {
    const start = performance.now();
    await fn();
    ms = Math.min(ms, performance.now() - start);
  }
  expect(ms, `took ${ms.toFixed(0)} ms`).toBeLessThan(LIMIT_MS);
}

const config = resolveConfig({}, "/project");

function parseAs(relPath: string, text: string) {
  return parse({ path: `/content/${relPath}`, relPath, text }, config);
}

function textTree(value: string): HastRoot {
  return { type: "root", children: [{ type: "element", tagName: "p", properties: {}, children: [{ type: "text", value }] }] };
}

describe("regexes on content finish in linear time", () => {
  describe("images", () => {
    it.each([
      ["adjacent empty comments (the 281-byte image)", Buffer.from("<!---->".repeat(40) + "x")],
      ["adjacent comments filling the 4 KB head", Buffer.from(run("<!-- a -->", 4 * KB, "x"))],
      ["comments on both sides of a doctype", Buffer.from("<!---->".repeat(200) + "<!DOCTYPE svg>" + "<!---->".repeat(200) + "x")],
      ["an unclosed comment", Buffer.from("<!--" + run("<!-- -", 100 * KB))],
      ["an XML declaration that never closes", Buffer.from("<?xml" + run(" ?", 100 * KB))],
      ["whitespace and no root", Buffer.from(run(" \n\t", 100 * KB))],
    ])("detectImageType: %s", async (_, bytes) => {
      await detectImageType(Buffer.from("<svg></svg>"));
      await expectFast(() => detectImageType(bytes));
    });

    it("detectImageType still reads SVG behind a prolog, comments and a doctype", async () => {
      const svg = '\uFEFF<?xml version="1.0"?>\n<!-- a --><!-- b -->\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN">\n<!-- c -->\n<svg width="1"></svg>';
      expect(await detectImageType(Buffer.from(svg))).toMatchObject({ ext: "svg" });
      expect(await detectImageType(Buffer.from("<!-- <svg> -->"))).toBeUndefined();
      expect(await detectImageType(Buffer.from("<!DOCTYPE html><!DOCTYPE x><svg>"))).toBeUndefined();
      expect(await detectImageType(Buffer.from("<html><svg></svg></html>"))).toBeUndefined();
      expect(await detectImageType(Buffer.from("<!---->".repeat(40) + "<SVG\n>"))).toMatchObject({ ext: "svg" });
      expect(await detectImageType(Buffer.from('<?XML version="1.0"?><!doctype svg><svg>'))).toMatchObject({ ext: "svg" });
    });

    it.each([
      ["parameters without a comma", "data:" + run(";", 100 * KB)],
      ["parameters with values", "data:image/png" + run(";a=b", 100 * KB)],
      ["repeated ;base64", "data:image/png" + run(";base64", 100 * KB)],
      ["a type without a comma", "data:" + run("a", 100 * KB)],
      ["base64 with a bad last character", "data:image/png;base64," + run("AAAA", 100 * KB)],
      ["base64 with whitespace runs", "data:image/png;base64," + run("AA \n", 100 * KB)],
      ["percent signs", "data:image/svg+xml," + run("%", 100 * KB)],
      ["leading whitespace", run(" ", 100 * KB, "data:,x")],
    ])("decodeDataUri: %s", async (_, uri) => {
      await expectFast(() => decodeDataUri(uri));
    });

    it.each([
      ["style with a long value", `<svg><rect style="${run("fill:red;", 100 * KB, "url(")}"/></svg>`],
      ["paint with a long function", `<svg><rect fill="${run("a", 50 * KB, "(")}${run("1,", 50 * KB, "x")}"/></svg>`],
      ["an svg tag with long attributes and no xmlns", `<svg ${run('a="b" ', 100 * KB, "")}></svg>`],
    ])("sanitizeSvg: %s", async (_, svg) => {
      await expectFast(() => sanitizeSvg(Buffer.from(svg)));
    });

    it.each([
      ["data:image/ then a long type", "data:image/" + run("a", 100 * KB)],
      ["repeated data:image/", run("data:image/", 100 * KB)],
      ["repeated data:image/x", run("data:image/x ", 100 * KB)],
    ])("rewriteImages, image data in the text: %s", async (_, text) => {
      await expectFast(() => rewriteImages(textTree(text), imageStore(), { file: new VFile(), path: "/content/a.md", toRoot: "" }));
    });
  });

  describe("dates, durations, headings, slugs, URLs", () => {
    it.each([
      ["a long fraction of a second", run("1", 100 * KB, "x").replace(/^/, "2024-01-01T00:00:00.")],
      ["a long zone-like tail", "2024-01-01T00:00" + run("+00:00", 100 * KB)],
      ["a date then spaces", "2024-01-01" + run(" ", 100 * KB, "x")],
    ])("parseInstant: %s", async (_, text) => {
      await expectFast(() => parseInstant(text));
    });

    it.each([
      ["units then a bad character", run("1h", 100 * KB)],
      ["digits without a unit", run("1", 100 * KB, "x")],
      ["spaced numbers", run("1 ", 100 * KB, "x")],
      ["decimals", run("1.1", 100 * KB, "x")],
      ["units with spaces", run("1 h ", 100 * KB, ".")],
    ])("parseDuration: %s", async (_, text) => {
      await expectFast(() => parseDuration(text));
    });

    it.each([
      ["spaces", run(" ", 100 * KB, "x")],
      ["quote markers", run(">", 100 * KB)],
      ["quote markers and spaces", run("> ", 100 * KB)],
      ["empty lines", run("\n", 100 * KB)],
      ["tabs", run("\t", 100 * KB, "x")],
      ["list markers", run("- ", 100 * KB)],
      ["numbered list markers", run("123456789. ", 100 * KB)],
      ["long numbers", run("1234567890", 100 * KB, ". ")],
      ["markers without a space", run("1.-", 100 * KB)],
    ])("tooDeeplyNested: %s", async (_, body) => {
      await expectFast(() => tooDeeplyNested(body, 1));
    });

    it.each([
      ["a name then spaces", "Timeline" + run(" ", 100 * KB, "x")],
      ["a name then brackets", "Timeline" + run("(", 100 * KB)],
      ["a name repeated", run("Timeline ", 100 * KB)],
    ])("matchSection: %s", async (_, heading) => {
      await expectFast(() => matchSection(heading, DEFAULT_SECTIONS));
    });

    it("scanSections: a comment after a section whose end is spaces and a letter", async () => {
      const comment = "<!--" + run("--> ", 100 * KB, "x");
      const tree: MdastRoot = {
        type: "root",
        children: [
          { type: "heading", depth: 2, children: [{ type: "text", value: "Timeline" }] },
          { type: "html", value: comment },
        ],
      };
      await expectFast(() => scanSections(tree, DEFAULT_SECTIONS));
    });

    // @sindresorhus/slugify spells out symbols (`&` → `and`): about 1 µs a character, hence 32 KB.
    it.each([
      ["dashes", run("a-", 32 * KB)],
      ["only dashes", run("-", 32 * KB, "a")],
      ["camel case", run("aB", 32 * KB)],
      ["symbols", run("&", 32 * KB)],
      ["accents", run("é ", 32 * KB)],
      ["emoji", run("😀", 32 * KB)],
    ])("slugify, slugOrHash and slugFromPath: %s", async (_, text) => {
      slugOrHash("warm-up");
      await expectFast(() => slugify(text));
      await expectFast(() => slugOrHash(text));
      await expectFast(() => slugFromPath(`${text.slice(0, 2 * KB)}/${text.slice(0, 2 * KB)}.md`));
    });

    it.each([
      ["separators", run("- _", 100 * KB)],
      ["spaces", run(" ", 100 * KB, "x")],
    ])("normalizeSeverity and termKey: %s", async (_, text) => {
      await expectFast(() => [normalizeSeverity(text, config.severities), termKey(text)]);
    });

    it.each([
      ["dotted colons", run(":1.1.1", 100 * KB, ".1x")],
      ["brackets", "[" + run("[", 100 * KB, "x")],
      ["localhost labels", run("localhost.", 100 * KB, "x")],
    ])("refusedByName, an image URL's host: %s", async (_, host) => {
      await expectFast(() => [refusedByName(host, []), refusedByName(`[${host}]`, [])]);
    });

    it.each([
      ["a long scheme", run("a", 100 * KB, ":")],
      ["a long scheme that never ends", run("a", 100 * KB, "/")],
      ["repeated .md", run(".md", 100 * KB, "x")],
    ])("markdownLinkTarget: %s", async (_, href) => {
      await expectFast(() => markdownLinkTarget(href, "2024/a.md"));
    });
  });

  describe("files: names, frontmatter, task lists", () => {
    // A path has at most 4 KB (PATH_MAX); longer names never reach Hindsight.
    const body = "## Timeline\n\nText.\n";
    it.each([
      ["folders", run("a/", 4 * KB, "b.md")],
      ["a date then separators", run("-", 4 * KB, "x.md").replace(/^/, "2024-01-01")],
      ["separators", run("-_", 4 * KB, ".md")],
      ["repeated extensions", run(".md", 4 * KB, "x")],
      ["a name with newlines", run("a\n", 4 * KB, ".md")],
    ])("parse, title and date from the file name: %s", async (_, relPath) => {
      parseAs("2024/warm-up.md", body);
      await expectFast(() => parseAs(relPath, body));
    });

    // One key, so that the YAML parser's own cost stays out of the measure.
    it.each([
      ["an opening line of spaces", "---" + run(" \t", 100 * KB, "x\n") + "---\n"],
      ["carriage returns not ending lines", "---\nnote: |\n" + run("  a\ra\r\n", 100 * KB, "\n") + "---\n"],
      ["a broken block whose closing line is spaces", "---\n: : :\n\n---" + run(" \t", 100 * KB, "x")],
      ["many closing-like lines in a broken block", "---\n: : :\n" + run("\n--- x", 100 * KB)],
    ])("readFrontmatter: %s", async (_, text) => {
      readFrontmatter("---\ntitle: a\n---\n", new VFile());
      await expectFast(() => readFrontmatter(text, new VFile()));
    });

    // The Markdown parser's own cost stays out of the measure: the tree is built here.
    it.each([
      ["owners", run(" @", 100 * KB)],
      ["owners with long names", run(" @" + "a".repeat(1000), 100 * KB, "")],
      ["due dates", run(" due: ", 100 * KB)],
      ["due dates with spaces", run(" due:" + " ".repeat(1000), 100 * KB, "x")],
      ["ticket-like words", run("AB-1", 100 * KB, "a")],
      ["a ticket with a long number", "AB-" + run("1", 100 * KB, "a")],
    ])("extractActions: %s", async (_, value) => {
      const item: MdastRoot = {
        type: "root",
        children: [{ type: "list", children: [{ type: "listItem", checked: false, children: [{ type: "paragraph", children: [{ type: "text", value }] }] }] }],
      };
      await expectFast(() => extractActions(item));
    });
  });

  describe("metadata from the text", () => {
    const paragraph = (value: string): MdastRoot => ({ type: "root", children: [{ type: "paragraph", children: [{ type: "text", value }] }] });
    const timeline = (value: string): MdastRoot => ({
      type: "root",
      children: [
        { type: "heading", depth: 2, children: [{ type: "text", value: "Timeline" }] },
        { type: "list", children: [{ type: "listItem", children: [{ type: "paragraph", children: [{ type: "text", value }] }] }] },
      ],
    });
    it.each([
      ["month names", run("jan ", 100 * KB)],
      ["month names then spaces", run("January" + " ".repeat(1000), 100 * KB, "x")],
      ["digits", run("1", 100 * KB, "x")],
      ["dates that are not", run("2024-13-01 ", 100 * KB)],
      ["labels", run("Duration: ", 100 * KB)],
      ["a duration of digits", "Duration: " + run("1", 100 * KB, "h")],
      ["a list of names", "Services: " + run("a, (b and ", 100 * KB, "c")],
      ["spaces", "Services:" + run(" ", 100 * KB, "x")],
    ])("extractors: %s", async (_, value) => {
      await expectFast(() => [labelledLines(paragraph(value), value), dateFromText(paragraph(value)), dateFromTimeline(timeline(value), DEFAULT_SECTIONS)]);
      await expectFast(() => [
        parseWrittenDuration(value),
        splitNames(value),
        dateFromTitle(value),
        parseLenientInstant(value),
        authorsFromSection(timeline(value)),
      ]);
    });
  });
});
