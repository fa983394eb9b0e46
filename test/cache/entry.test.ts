import fs from "node:fs";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { build } from "../../src/build.js";
import { entryPath, readBlob, writeEntry, type EntryPlace } from "../../src/cache/entry.js";
import { RecordCache } from "../../src/cache/records.js";
import type { PostmortemRecord } from "../../src/stages/record.js";
import { hashText } from "../../src/util/hash.js";
import { numberedArchive, tempDir } from "../helpers.js";

const bytes = new Uint8Array([137, 80, 78, 71, 1, 2, 3]);
const image = { path: `images/${hashText(bytes).slice(0, 20)}.png`, contents: bytes };

function place(): EntryPlace {
  const root = tempDir();
  return { recordsDir: path.join(root, ".cache", "records"), blobsDir: path.join(root, ".cache", "blobs"), root };
}

function record(messages: readonly object[] = []): PostmortemRecord {
  const fields = { relPath: "a.md", meta: {}, metaKey: "m", slugPlace: undefined, messages, links: [], body: undefined };
  return {
    ...fields,
    contents: { html: "<p>A.</p>", toc: [], text: "A." },
    terms: undefined,
    images: [image.path],
    remote: false,
    localFiles: [],
  } as unknown as PostmortemRecord;
}

const KEY = "ab".repeat(32);

// The record cache's entries, as written by whichever thread made the record (src/cache/entry.ts).
describe("writeEntry: a record's entry and image blobs, written in the thread that made it", () => {
  it("writes the record's line, then its body's, and gives the line for the pack", () => {
    const at = place();
    const line = writeEntry(at, KEY, record(), [image]);
    const [head, body] = fs.readFileSync(entryPath(at, KEY), "utf8").split("\n");
    expect(head).toBe(line);
    expect(JSON.parse(line!)).toMatchObject({ key: KEY, record: { relPath: "a.md" } });
    expect((JSON.parse(line!) as { record: object }).record).not.toHaveProperty("contents");
    expect(JSON.parse(body!)).toEqual({ html: "<p>A.</p>", toc: [], text: "A." });
    expect(Buffer.from(readBlob(at, image.path)!)).toEqual(Buffer.from(bytes));
  });

  it("writes a blob once, and again when it was damaged", () => {
    const at = place();
    writeEntry(at, KEY, record(), [image]);
    const blob = path.join(at.blobsDir, path.basename(image.path));
    const inode = fs.statSync(blob).ino;
    writeEntry(at, "cd".repeat(32), record(), [image]);
    expect(fs.statSync(blob).ino).toBe(inode);
    fs.writeFileSync(blob, "not an image");
    expect(readBlob(at, image.path)).toBeUndefined();
    writeEntry(at, "ef".repeat(32), record(), [image]);
    expect(Buffer.from(readBlob(at, image.path)!)).toEqual(Buffer.from(bytes));
  });

  it("keeps no record whose outcome is not the file's alone", () => {
    const at = place();
    expect(writeEntry(at, KEY, record([{ ruleId: "limits/time", fatal: true }]), [])).toBeUndefined();
    expect(fs.existsSync(entryPath(at, KEY))).toBe(false);
  });

  it("gives nothing, and throws nothing, when the cache cannot be written; and writes again once it can, its folders made again", () => {
    const at = place();
    fs.mkdirSync(path.dirname(at.recordsDir), { recursive: true });
    fs.writeFileSync(at.recordsDir, "a file where the folder goes");
    expect(writeEntry(at, KEY, record(), [])).toBeUndefined();
    fs.rmSync(at.recordsDir);
    expect(writeEntry(at, KEY, record(), [])).toBeDefined();
    // The cache deleted since (between two builds of one dev session, say).
    fs.rmSync(path.dirname(at.recordsDir), { recursive: true });
    expect(writeEntry(at, KEY, record(), [image])).toBeDefined();
    expect(fs.existsSync(entryPath(at, KEY))).toBe(true);
    expect(readBlob(at, image.path)).toBeDefined();
  });

  it("is written by the worker threads of a build: the next build finds every entry without the pack or the previous archive", async () => {
    const root = numberedArchive(40);
    // Each record is stored by the worker that made it: the main thread only takes its line in.
    const set = vi.spyOn(RecordCache.prototype, "set");
    const adopt = vi.spyOn(RecordCache.prototype, "adopt");
    try {
      expect((await build({ root, offline: true, workers: 2 })).ok).toBe(true);
      expect(set).not.toHaveBeenCalled();
      expect(adopt.mock.calls.filter(([, line]) => line !== undefined)).toHaveLength(40);
    } finally {
      set.mockRestore();
      adopt.mockRestore();
    }
    const entries = fs.readdirSync(path.join(root, ".cache", "records"), { recursive: true }).filter((name) => String(name).endsWith(".json"));
    expect(entries).toHaveLength(40);
    fs.rmSync(path.join(root, ".cache", "records.build.pack"));
    fs.rmSync(path.join(root, "dist"), { recursive: true });
    const second = await build({ root, offline: true, workers: 2 });
    expect(second.reused).toBe(40);
    expect(fs.readdirSync(path.join(root, "dist", "postmortems")).length).toBeGreaterThan(40);
  });
});
