import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { HindsightError } from "../../src/errors.js";
import type { Output } from "../../src/types.js";
import { BUILD_MARKER, isUpToDate, writeOutput } from "../../src/write/index.js";
import { PageWriter } from "../../src/write/writer.js";
import { listFiles, tempDir } from "../helpers.js";

// A build of 256 files or more has them written by a thread of its own (src/write/writer.ts).
const threads = () => fs.readdirSync("/proc/self/task").length;

/**
 * 600 files in nested folders, about 14 MB: more than the thread may have waiting (8 MB), in
 * many batches. ASCII, two-, three- and four-byte characters, a lone surrogate, bytes (views of
 * a larger buffer too), a long page, a page in pieces, empty ones.
 */
function manyFiles(): Output[] {
  const files: Output[] = [];
  const shared = Buffer.alloc(1 << 20, 7);
  for (let i = 0; i < 600; i++) {
    const text = ["plain", "é·—", "≠ ◐", "💥 x", "half \ud800 pair"][i % 5]!.repeat(1800 + (i % 50) * 60);
    if (i % 11 === 0) {
      files.push({ path: `images/view-${i}.bin`, contents: shared.subarray(i, i + 100) });
      continue;
    }
    files.push(i % 7 === 0 ? { path: `images/${i}.bin`, contents: Buffer.from(text, "latin1") } : { path: `p/${i % 13}/${i}/index.html`, contents: text });
  }
  files.push({ path: "all/index.html", contents: "x".repeat((1 << 20) + 5) + "💥" });
  // Bigger than a batch's buffer (512 KB), sent whole; long, with four-byte characters across the buffers' ends; empty.
  files.push({ path: "big/index.html", contents: "≠".repeat(200_000) });
  files.push({ path: "emoji/index.html", contents: "💥a".repeat(400_000) });
  files.push({ path: "empty.html", contents: "" });
  files.push({ path: "empty.json", key: "e", render: () => "", chunks: () => [] });
  files.push({ path: "export.json", key: "k", render: () => "unused", chunks: () => ["[", "1,".repeat(300_000), "2]"] });
  return files;
}

describe("a large build's files, written by a thread of their own", () => {
  it("are the bytes of their contents, UTF-8 for text, each in its folder; and the thread is gone after", async () => {
    const root = tempDir();
    const outDir = path.join(root, "dist");
    const files = manyFiles();
    const before = threads();
    await writeOutput({ outDir, protectedDirs: [root] }, files);
    expect(threads()).toBe(before);
    expect(listFiles(outDir)).toHaveLength(files.length + 1);
    for (const file of files) {
      const expected = "contents" in file ? Buffer.from(file.contents) : Buffer.from([...(file.chunks?.() ?? [])].join(""));
      expect(fs.readFileSync(path.join(outDir, file.path)).equals(expected), file.path).toBe(true);
    }
  });

  it("are written from a few buffers used again: at most 8 MB wait, however much is written", async () => {
    const root = tempDir();
    const writer = new PageWriter();
    for (const [i, file] of [...manyFiles(), ...manyFiles()].entries()) {
      const contents = "contents" in file ? file.contents : [...(file.chunks?.() ?? [])].join("");
      const at = path.join(root, String(i), "index.html");
      if (typeof contents === "string" && contents.length > 1 << 20) await writer.writeLong(at, contents);
      else writer.write(at, contents);
      await writer.room();
    }
    await writer.close();
    // 28 MB written from buffers of 512 KB: 17 may wait, one is being filled, and a page bigger than a buffer takes up to 6 more.
    expect(writer.buffers).toBeLessThanOrEqual(24);
    expect(listFiles(root)).toHaveLength(2 * manyFiles().length);
  });

  it("are recorded in the manifest at the size they were written: the next build finds the folder up to date", async () => {
    const root = tempDir();
    const target = { outDir: path.join(root, "dist"), protectedDirs: [root], manifestFile: path.join(root, "manifest.json"), build: "b1" };
    await writeOutput(target, manyFiles());
    const manifest = JSON.parse(fs.readFileSync(target.manifestFile, "utf8")) as { files: Record<string, [string, number]> };
    for (const [file, [, size]] of Object.entries(manifest.files)) expect(fs.statSync(path.join(target.outDir, file)).size, file).toBe(size);
    expect(await isUpToDate(target)).toBe(true);
  });

  it("fail whole when the thread cannot write one: the previous build stays, nothing is left beside it, and the thread is gone", async () => {
    const root = tempDir();
    const outDir = path.join(root, "dist");
    await writeOutput({ outDir, protectedDirs: [root] }, [{ path: "keep.html", contents: "keep" }]);
    const before = threads();
    // A name longer than the file system allows: the write itself fails, in the thread.
    const files = manyFiles().toSpliced(400, 0, { path: `p/${"n".repeat(300)}.html`, contents: "too long a name" });
    await expect(writeOutput({ outDir, protectedDirs: [root] }, files)).rejects.toThrow(HindsightError);
    expect(threads()).toBe(before);
    expect(listFiles(outDir)).toEqual([BUILD_MARKER, "keep.html"]);
    expect(fs.readdirSync(root)).toEqual(["dist"]);
  });

  it("fail whole when a page cannot be made while the thread writes others: the thread is stopped before the staging folder goes", async () => {
    const root = tempDir();
    const outDir = path.join(root, "dist");
    await writeOutput({ outDir, protectedDirs: [root] }, [{ path: "keep.html", contents: "keep" }]);
    const before = threads();
    const broken: Output = {
      path: "broken/index.html",
      key: "b",
      render: () => {
        throw new Error("a page that cannot be made");
      },
    };
    await expect(writeOutput({ outDir, protectedDirs: [root] }, manyFiles().toSpliced(500, 0, broken))).rejects.toThrow();
    expect(threads()).toBe(before);
    expect(listFiles(outDir)).toEqual([BUILD_MARKER, "keep.html"]);
    expect(fs.readdirSync(root)).toEqual(["dist"]);
  });
});
