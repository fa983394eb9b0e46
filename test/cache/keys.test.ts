import path from "node:path";
import { describe, expect, it } from "vitest";
import { cacheKey, contentKey, outputsManifestName, recordKey, settingsKey } from "../../src/cache/keys.js";
import { resolveConfig } from "../../src/config.js";

describe("cache keys", () => {
  it("never give two different lists of parts the same key", () => {
    expect(cacheKey("record", "ab", "c")).not.toBe(cacheKey("record", "a", "bc"));
    expect(cacheKey("record", "a\0s1\0b")).not.toBe(cacheKey("record", "a", "b"));
    // Text, bytes and JSON are told apart.
    expect(cacheKey("record", "[1]")).not.toBe(cacheKey("record", [1]));
    expect(cacheKey("record", "ab")).not.toBe(cacheKey("record", new TextEncoder().encode("ab")));
    expect(cacheKey("record", "x")).not.toBe(cacheKey("page", "x"));
    expect(cacheKey("record", { a: 1 }, "x")).toBe(cacheKey("record", { a: 1 }, "x"));
    expect(contentKey("same bytes")).toMatch(/^[0-9a-f]{64}$/);
  });

  it("cover the config as processing reads it, wherever the project is", () => {
    const here = path.resolve("/srv/ci/run-1/archive");
    const there = path.resolve("/home/runner/work/archive/checkout");
    const key = (root: string, user: Parameters<typeof resolveConfig>[0] = {}) => settingsKey(resolveConfig(user, root), "code", false);
    // Moved, or only its output and theme folders differ: the same records.
    expect(key(there)).toBe(key(here));
    expect(key(here, { out: "public-site" })).toBe(key(here));
    expect(recordKey(key(there), "2024/a.md", "text")).toBe(recordKey(key(here), "2024/a.md", "text"));
    // Anything processing reads: another key.
    expect(key(here, { content: "incidents" })).not.toBe(key(here));
    expect(key(here, { sections: [] })).not.toBe(key(here));
    expect(key(here, { images: { roots: ["docs/_static"] } })).not.toBe(key(here));
    expect(settingsKey(resolveConfig({}, here), "code", true)).not.toBe(key(here));
    expect(settingsKey(resolveConfig({}, here), "code", false, "check")).not.toBe(key(here));
    expect(settingsKey(resolveConfig({}, here), "other code", false)).not.toBe(key(here));
    expect(recordKey(key(here), "2024/a.md", "text")).not.toBe(recordKey(key(here), "2024/b.md", "text"));
    expect(recordKey(key(here), "2024/a.md", "text")).not.toBe(recordKey(key(here), "2024/a.md", "text!"));
  });

  it("name the write manifest by the output folder relative to the root", () => {
    const at = (root: string, out: string) => outputsManifestName({ root, outDir: path.join(root, out) });
    expect(at("/a/b", "dist")).toBe(at("/c", "dist"));
    expect(at("/a/b", "dist")).not.toBe(at("/a/b", "site"));
  });
});
