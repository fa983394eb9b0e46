// The image store's outcome for one source at a time: each way an image fails is a problem
// value with its rule id, never a throw; a remote image that is not fetched is kept as written.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { resolveConfig, type UserConfig } from "../../src/config.js";
import { decodeDataUri } from "../../src/images/data-uri.js";
import { ImageStore, type ImageOutcome } from "../../src/images/store.js";
import { makePng, tempDir } from "../helpers.js";

const PNG = makePng(4, 3);
// An SVG cut short: it starts as one, and the sanitizer leaves nothing of it.
const CUT_SVG = "<svg\n";

/** A project with a content folder and a postmortem path in it (the file itself is not needed). */
function project(): { root: string; content: string; postmortem: string } {
  const root = tempDir();
  const content = path.join(root, "content");
  fs.mkdirSync(content, { recursive: true });
  return { root, content, postmortem: path.join(content, "a.md") };
}

function storeFor(root: string, config: UserConfig = {}, mode: "build" | "check" = "build"): ImageStore {
  return new ImageStore(resolveConfig(config, root), { mode, offline: true });
}

/** The problem's rule id and reason, or undefined for a success. */
function problemOf(outcome: ImageOutcome): { ruleId: string; reason: string } | undefined {
  return outcome.ok ? undefined : { ruleId: outcome.error.ruleId, reason: outcome.error.reason };
}

const dataUri = (mime: string, bytes: Buffer | string) => `data:${mime};base64,${Buffer.from(bytes).toString("base64")}`;

describe("decodeDataUri", () => {
  it("decodes base64 and percent-encoded data", () => {
    expect(decodeDataUri(dataUri("image/png", PNG))).toEqual({ ok: true, value: { mime: "image/png", bytes: PNG } });
    const svg = decodeDataUri("data:image/svg+xml;utf8,%3Csvg%2F%3E");
    expect(svg.ok && Buffer.from(svg.value.bytes).toString()).toBe("<svg/>");
  });

  it("says why a URI cannot be read", () => {
    expect(decodeDataUri("data:image/png")).toEqual({ ok: false, error: "it is not of the form data:<type>;base64,<data>" });
    expect(decodeDataUri("data:image/png;base64,iVBOR*w0")).toEqual({ ok: false, error: "its base64 data is corrupt" });
    expect(decodeDataUri("data:image/png;base64,")).toEqual({ ok: false, error: "it holds no data" });
    expect(decodeDataUri("data:image/svg+xml,%E0%A4%A")).toEqual({ ok: false, error: "its percent-encoded data is corrupt" });
  });
});

describe("ImageStore.resolve", () => {
  it("stores a local image under the hash of its bytes, with its size and the file it came from", async () => {
    const { root, content, postmortem } = project();
    fs.writeFileSync(path.join(content, "graph.png"), PNG);
    const store = storeFor(root);
    const outcome = await store.resolve("graph.png?v=2", postmortem);
    expect(outcome).toMatchObject({ ok: true, value: { width: 4, height: 3, local: { file: path.join(content, "graph.png") } } });
    expect(outcome.ok && outcome.value?.path).toMatch(/^images\/[0-9a-f]{20}\.png$/);
    expect(store.stats).toMatchObject({ local: 1, failed: 0 });
  });

  it("gives a problem for each way a local image fails, and counts each source once", async () => {
    const { root, content, postmortem } = project();
    const big = makePng(4, 3, 0x80, "x".repeat(500));
    fs.writeFileSync(path.join(content, "big.png"), big);
    fs.writeFileSync(path.join(content, "notes.png"), "not an image");
    fs.writeFileSync(path.join(content, "empty.svg"), CUT_SVG);
    const store = storeFor(root, { images: { maxBytes: 200 } });
    const problems = await Promise.all(
      ["missing.png", "big.png", "notes.png", "empty.svg", "../outside.png", "ftp://example.com/a.png", "missing.png"].map((src) =>
        store.resolve(src, postmortem),
      ),
    );
    expect(problems.map(problemOf)).toEqual([
      { ruleId: "image/missing", reason: "Missing image `missing.png`" },
      { ruleId: "image/too-large", reason: `Unexpected image \`big.png\` of ${big.length} bytes, expected at most 200 bytes (images.maxBytes)` },
      { ruleId: "image/invalid", reason: "Unexpected file `notes.png` as an image, its content is not one" },
      { ruleId: "image/invalid", reason: "Unexpected SVG `empty.svg` with nothing left to draw once sanitized" },
      { ruleId: "image/outside", reason: "Unexpected image path `../outside.png` outside the content folder" },
      { ruleId: "image/scheme", reason: "Unexpected image URL scheme in `ftp://example.com/a.png`, expected http(s), data: or a file" },
      { ruleId: "image/missing", reason: "Missing image `missing.png`" },
    ]);
    // The path and the scheme are refused before any source is read; the missing file is one source.
    expect(store.stats.failed).toBe(4);
  });

  it("refuses a symlink inside the content folder that leads out of the project", async () => {
    const { root, content, postmortem } = project();
    const elsewhere = tempDir();
    fs.writeFileSync(path.join(elsewhere, "secret.png"), PNG);
    fs.symlinkSync(path.join(elsewhere, "secret.png"), path.join(content, "linked.png"));
    expect(problemOf(await storeFor(root).resolve("linked.png", postmortem))).toEqual({
      ruleId: "image/outside",
      reason: "Unexpected image `linked.png` that links outside the content folder",
    });
  });

  it("gives a problem for an embedded image that is not the image it says", async () => {
    const { root, postmortem } = project();
    const store = storeFor(root);
    const outcomes = await Promise.all([
      store.resolve("data:image/png;base64,", postmortem),
      store.resolve(dataUri("image/png", "hello"), postmortem),
      store.resolve(dataUri("image/jpeg", PNG), postmortem),
      store.resolve(dataUri("image/svg+xml", CUT_SVG), postmortem),
    ]);
    expect(outcomes.map((outcome) => problemOf(outcome)?.reason)).toEqual([
      "Cannot read embedded image: it holds no data",
      "Cannot read embedded image: its data is not an image (declared image/png)",
      "Cannot read embedded image: it is declared image/jpeg but its data is image/png",
      "Cannot read embedded image: its SVG has nothing left to draw once sanitized",
    ]);
    expect(new Set(outcomes.map((outcome) => problemOf(outcome)?.ruleId))).toEqual(new Set(["image/data-uri"]));
    expect(await store.resolve(dataUri("image/png", PNG), postmortem)).toMatchObject({ ok: true, value: { width: 4, height: 3 } });
    expect(store.stats).toMatchObject({ embedded: 1, failed: 4 });
  });

  it("keeps a remote image as written in check, and warns offline when it is not in the cache", async () => {
    const { root, postmortem } = project();
    expect(await storeFor(root, {}, "check").resolve("https://example.com/a.png", postmortem)).toEqual({ ok: true, value: undefined });
    const offline = await storeFor(root).resolve("//example.com/a.png", postmortem);
    expect(offline).toMatchObject({
      ok: false,
      error: { ruleId: "image/unreachable", reason: "Cannot download image https://example.com/a.png: offline, and not in the cache", severity: "warning" },
    });
  });
});
