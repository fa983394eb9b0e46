import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { check } from "../src/check.js";
import { detectImageType } from "../src/images/detect.js";
import { sanitizeSvg } from "../src/images/svg.js";
import { makePng, pngChunk, repoRoot, tempDir } from "./helpers.js";

const valid = fs.readFileSync(path.join(repoRoot, "test/fixtures/rules/valid/input.md"), "utf8");

/** Checks one postmortem text in a fresh project; returns `line rule` for each message. */
async function problems(text: string, config = {}, extra: Record<string, string | Buffer> = {}) {
  const root = tempDir();
  fs.mkdirSync(path.join(root, "content"));
  fs.writeFileSync(path.join(root, "content", "pm.md"), text);
  for (const [name, data] of Object.entries(extra)) fs.writeFileSync(path.join(root, "content", name), data);
  const result = await check({ root, ...config });
  return result.files.flatMap((f) => f.messages.map((m) => `${m.line} ${m.ruleId}`));
}

describe("regressions from review", () => {
  it("reads CRLF frontmatter whose last line ends in ] (the starter archive on a Windows checkout)", async () => {
    const root = tempDir();
    fs.cpSync(path.join(repoRoot, "content"), path.join(root, "content"), { recursive: true });
    for (const file of fs
      .readdirSync(path.join(root, "content"), { recursive: true })
      .map(String)
      .filter((f) => f.endsWith(".md"))) {
      const full = path.join(root, "content", file);
      fs.writeFileSync(full, fs.readFileSync(full, "utf8").replace(/\n/g, "\r\n"));
    }
    const result = await check({ root });
    expect(result.files.flatMap((f) => f.messages.map((m) => `${path.basename(f.path)} ${m.ruleId}`))).toEqual([]);
  });

  it("recognises an SVG that starts with an XML prolog, and an animated PNG", async () => {
    expect(await detectImageType(Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'))).toEqual({
      ext: "svg",
      mime: "image/svg+xml",
    });
    // An animated PNG: an acTL chunk before the image data.
    const apng = makePng(1, 1, 0x80, undefined, [pngChunk("acTL", Buffer.from([0, 0, 0, 1, 0, 0, 0, 0]))]);
    expect(await detectImageType(apng)).toEqual({ ext: "png", mime: "image/png" });
  });

  it("keeps dashed lines and rgb() styles of ordinary charts when sanitizing SVG", () => {
    const out = Buffer.from(
      sanitizeSvg(
        Buffer.from(
          '<svg xmlns="http://www.w3.org/2000/svg"><line stroke-dasharray="4 2" stroke-miterlimit="2" x2="9"/><rect style="fill: rgb(99,110,250); font-family: Arial" width="3"/><rect style="fill:url(http://x/y)"/></svg>',
        ),
      )!,
    ).toString();
    expect(out).toContain('stroke-dasharray="4 2"');
    expect(out).toContain('stroke-miterlimit="2"');
    expect(out).toContain('style="fill: rgb(99,110,250); font-family: Arial"');
    expect(out).not.toContain("http://x");
  });

  it("does not end a section at a bold line that is not a section name", async () => {
    expect(await problems(valid.replace("- 09:30 flush", "**All times UTC:**\n\n- 09:30 flush"))).toEqual([]);
  });

  it("does not count a bold label repeated under ### subsections as duplicate sections", async () => {
    const body = valid.replace(
      /## Timeline\n\n- 09:30 flush\n/,
      "## Details\n\n### Incident A\n\n**Timeline:**\n\n- a\n\n### Incident B\n\n**Timeline:**\n\n- b\n",
    );
    expect(await problems(body)).toEqual(["16 sections/bold-heading"]);
  });

  it("reports a data: URI broken across lines instead of leaving it as text", async () => {
    expect(await problems(valid.replace("A flush.", "![w](data:image/png;base64,iVBORw0KGgo\nAAAANSUhEUg)"))).toEqual(["18 image/data-uri"]);
  });

  it("accepts a percent-encoded SVG data URI with a bare ;utf8 parameter", async () => {
    const svg = encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4"/></svg>');
    expect(await problems(valid.replace("A flush.", `![Box](data:image/svg+xml;utf8,${svg})`))).toEqual([]);
  });

  it("compares a plain date with a date-time by day", async () => {
    const text = valid.replace("---\n\n## Issue", "started: 2024-02-10T09:30:00Z\nresolved: 2024-02-10\n---\n\n## Issue");
    expect(await problems(text)).toEqual([]);
  });

  it("finds the images of a postmortem checked from outside the content folder beside it", async () => {
    const outside = tempDir();
    fs.writeFileSync(path.join(outside, "pm.md"), valid.replace("A flush.", "![Graph](graph.svg)"));
    fs.writeFileSync(path.join(outside, "graph.svg"), '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4"/></svg>');
    const root = tempDir();
    fs.mkdirSync(path.join(root, "content"));
    const result = await check({ root, paths: [path.join(outside, "pm.md")] });
    expect(result.files.flatMap((f) => f.messages.map((m) => m.ruleId))).toEqual([]);
  });

  // Any object: the configs are wrong on purpose, a misspelled key among them.
  it.each<[object, RegExp]>([
    [{ taxonomies: ["services", "services"] }, /`taxonomies`: expected each name once/],
    [{ sections: [{ name: "Timeline", aliases: ["Issue Summary"] }, { name: "Issue Summary" }] }, /`sections`: expected each name once/],
    [{ severities: [{ id: "A", aliases: ["B"] }, { id: "B" }] }, /`severities`: expected each name once/],
    [{ images: { timeoutMs: 5_000_000_000 } }, /`images.timeoutMs`: expected at most 600000/],
    [{ images: { allowHosts: ["http://grafana.corp.example/"] } }, /`images.allowHosts.0`: expected a host name or address/],
    [{ limits: { fileMs: -1 } }, /`limits.fileMs`/],
    [{ limits: { fileBites: 1 } }, /Unknown key `limits.fileBites`; known keys: fileBytes, fileMs/],
    [{ language: "English" }, /`language`: expected a language tag such as `en`, `de` or `pt-BR`/],
    [{ language: "de_DE" }, /`language`: expected a language tag/],
    [{ search: { typos: "yes" } }, /`search.typos`/],
    [{ search: { typo: false } }, /Unknown key `search.typo`/],
  ])("refuses a config that contradicts itself or overflows: %j", async (config, message) => {
    await expect(check({ root: tempDir(), ...config })).rejects.toThrow(message);
  });
});

describe("resource limits (regressions: stack overflows and a quadratic list)", () => {
  it.each([
    ["quotes 5,000 deep", ">".repeat(5_000) + " deep\n"],
    ["lists 300 deep", Array.from({ length: 300 }, (_, i) => `${"  ".repeat(i)}- item\n`).join("")],
    // Issue 13: GFM's autolink transform, inside the parser, overflowed the stack on it.
    ["lists 3,000 deep on one line", "- ".repeat(3_000) + "a\n"],
    ["emphasis 2,000 deep", "*".repeat(2_000) + "x" + "*".repeat(2_000) + "\n"],
    ["HTML 5,000 deep", "<div>".repeat(5_000) + "x" + "</div>".repeat(5_000) + "\n"],
  ])("reports %s as content/too-deep instead of crashing", async (_, body) => {
    const lines = await problems(valid.replace("A flush.", `A flush.\n\n${body}`));
    expect(lines.some((line) => line.endsWith("content/too-deep"))).toBe(true);
  });

  it("renders a list of 20,000 items in linear time", async () => {
    const list = Array.from({ length: 20_000 }, (_, i) => `- item ${i}\n`).join("");
    // CPU time, not the clock: the machine is shared, and other test files run beside this one.
    const started = process.cpuUsage();
    const root = tempDir();
    fs.mkdirSync(path.join(root, "content"));
    fs.writeFileSync(path.join(root, "content", "pm.md"), valid.replace("A flush.", `A flush.\n\n${list}`));
    const { build } = await import("../src/build.js");
    // It is slow (GC), and the machine shared: the time limit is not what this test is about.
    const result = await build({ root, offline: true, limits: { fileMs: 120_000 } });
    expect(result.ok).toBe(true);
    // Quadratic, it took about 6 s for 20,000 items on the 2-core machine; linear, about 2 s.
    const { user, system } = process.cpuUsage(started);
    expect((user + system) / 1000).toBeLessThan(20_000);
    expect(fs.readFileSync(path.join(root, "dist/postmortems/pm/index.html"), "utf8")).toContain("<li>item 19999</li>");
  });
});
