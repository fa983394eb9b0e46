import fs from "node:fs";
import path from "node:path";
import type { VFile } from "vfile";
import type { ImageStore } from "../../src/images/store.js";
import { describe, expect, it } from "vitest";
import { build } from "../../src/build.js";
import { check } from "../../src/check.js";
import type { UserConfig } from "../../src/config.js";
import { dataUriSize, decodeDataUri } from "../../src/images/data-uri.js";
import { imageStore, makePng, parseText, render, tempDir } from "../helpers.js";

// Regression (issue 13): a `data:` URI had no cap at all. Its decoded size is now counted from
// the URI's length, before decoding, against `limits.dataBytes` (per postmortem, over its
// distinct URIs) and `limits.dataTotalBytes` (per build, shared by every thread).

/** A PNG of about `bytes` bytes (a text chunk pads it), as a data: URI; `shade` makes distinct ones. */
function pngUri(bytes: number, shade: number): string {
  return `data:image/png;base64,${makePng(1, 1, shade, "x".repeat(bytes)).toString("base64")}`;
}

const KB = 1024;
const A = pngUri(3 * KB, 1);
const B = pngUri(3 * KB, 2);
const C = pngUri(3 * KB, 3);
const size = (uri: string) => {
  const decoded = decodeDataUri(uri);
  if (!decoded.ok) throw new Error(`not a data: URI: ${decoded.error}`);
  return decoded.value.bytes.byteLength;
};

function postmortem(...uris: string[]): string {
  return ["---", "title: Embedded", "---", "", ...uris.map((uri, i) => `![Graph ${i}](${uri})\n`)].join("\n");
}

function problems(file: VFile) {
  return file.messages.map((m) => ({ ruleId: m.ruleId, line: m.line, fatal: m.fatal }));
}

async function renderWith(config: UserConfig, store = imageStore(config), ...texts: string[]) {
  return Promise.all(
    texts.map(async (text, i) => {
      const parsed = parseText(text, `2024/pm-${i}.md`, config);
      const rendered = await render(parsed, { slugs: new Map(), images: store });
      return { file: parsed.file, html: rendered!.html, store };
    }),
  );
}

describe("the size of a data: URI, without decoding it", () => {
  it.each([
    ["base64", A],
    ["base64 with padding", `data:image/png;base64,${Buffer.from("ab").toString("base64")}`],
    ["percent-encoded", "data:image/svg+xml,%3Csvg%20xmlns%3D%22http%3A%2F%2Fwww.w3.org%2F2000%2Fsvg%22%3E%3C%2Fsvg%3E"],
    ["percent-encoded, with characters beyond ASCII", "data:image/svg+xml;charset=utf-8,<svg><text>é😀</text></svg>"],
  ])("%s: the decoded size", (_, uri) => {
    expect(dataUriSize(uri)).toBe(size(uri));
  });

  it("counts whitespace in base64 data as data, which can only overstate the size", () => {
    const uri = A.replace(/(.{76})/g, "$1 ");
    expect(dataUriSize(uri)).toBeGreaterThan(size(uri));
    expect(dataUriSize(uri)).toBeLessThan(size(uri) * 1.02);
  });
});

/** The images that pages link to, each found in the store: what the build writes. */
function stored(store: ImageStore, ...pages: string[]): string[] {
  const paths = [...new Set(pages.flatMap((html) => [...html.matchAll(/src="[^"]*?(images\/[^"]+)"/g)].map((m) => m[1]!)))];
  for (const file of paths) expect(store.file(file), file).toBeDefined();
  return paths;
}

describe("limits.dataBytes: embedded images per postmortem", () => {
  it("refuses the image that takes a postmortem past its budget, at its line, and keeps no data: of it", async () => {
    const config = { limits: { dataBytes: Math.floor(size(A) * 2.5) } };
    const { file, html, store } = (await renderWith(config, undefined, postmortem(A, B, C, A)))[0]!;
    expect(problems(file)).toEqual([{ ruleId: "limits/data-bytes", line: 9, fatal: true }]);
    const total = ((size(A) + size(B) + size(C)) / KB).toFixed(0);
    expect(file.messages[0]!.reason).toBe(
      `Unexpected embedded images of ${total} KB in this postmortem, expected at most ${(config.limits.dataBytes / KB).toFixed(0)} KB (limits.dataBytes)`,
    );
    expect(file.messages[0]!.note).toBe("Save large images as files next to the postmortem and link them, or raise limits.dataBytes in the config.");
    // A repeated image costs nothing more: A twice, B, and not C.
    expect(stored(store, html)).toHaveLength(2);
    expect(html).not.toContain("data:");
    expect(html.match(/<img/g)).toHaveLength(4);
    expect(html.match(/src="[^"]*images\//g)).toHaveLength(3);
  });

  it("lets a postmortem within its budget be", async () => {
    const config = { limits: { dataBytes: size(A) + size(B) } };
    const { file, html, store } = (await renderWith(config, undefined, postmortem(A, B, A)))[0]!;
    expect(file.messages).toEqual([]);
    expect(stored(store, html)).toHaveLength(2);
  });
});

describe("limits.dataTotalBytes: embedded images per build", () => {
  it("refuses images once the build's budget is spent, in the postmortem that goes over", async () => {
    const config = { limits: { dataTotalBytes: Math.floor(size(A) * 3.5) } };
    const store = imageStore(config);
    const [first] = await renderWith(config, store, postmortem(A, B));
    const [second] = await renderWith(config, store, postmortem(C, A));
    expect(problems(first!.file)).toEqual([]);
    // A again counts again: each postmortem spends for what it embeds.
    expect(problems(second!.file)).toEqual([{ ruleId: "limits/data-total-bytes", line: 7, fatal: true }]);
    expect(second!.file.messages[0]!.reason).toMatch(
      /^Unexpected embedded image of 3 KB with 2 KB left of the build's budget, expected at most 11 KB of embedded images in the whole build \(limits.dataTotalBytes\)$/,
    );
    expect(second!.file.messages[0]!.note).toBe(
      "Save large images as files next to the postmortem and link them, or raise limits.dataTotalBytes in the config.",
    );
    expect(second!.html).not.toContain("data:");
    expect(stored(store, first!.html, second!.html)).toHaveLength(3);
  });

  it("lets a build within its budget be", async () => {
    const config = { limits: { dataTotalBytes: 3 * size(A) } };
    const store = imageStore(config);
    const results = await renderWith(config, store, postmortem(A), postmortem(B), postmortem(C));
    expect(results.flatMap((r) => r.file.messages)).toEqual([]);
  });
});

describe("check and build both report them", () => {
  function archive(): string {
    const root = tempDir();
    fs.mkdirSync(path.join(root, "content"));
    fs.writeFileSync(path.join(root, "content", "big.md"), postmortem(A, B));
    fs.writeFileSync(path.join(root, "content", "small.md"), postmortem(C));
    return root;
  }
  const options = { sections: [], fields: { required: [] }, limits: { dataBytes: size(A) + 10, dataTotalBytes: 100 * KB } };
  const rules = (files: readonly VFile[]) => files.flatMap((file) => file.messages.map((m) => `${path.basename(file.path)}:${m.line} ${m.ruleId}`)).sort();

  it("check", async () => {
    const result = await check({ root: archive(), ...options });
    expect(result.ok).toBe(false);
    expect(rules(result.files)).toEqual(["big.md:7 limits/data-bytes"]);
  });

  it("build", async () => {
    const root = archive();
    const result = await build({ root, ...options, offline: true });
    expect(rules(result.files)).toEqual(["big.md:7 limits/data-bytes"]);
    expect(result.ok).toBe(false);
  });
});
