// An update in place: a build that changed few files writes them into the previous build's
// folder, under its lock, instead of making the folder anew (src/write/in-place.ts).
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { HindsightError } from "../../src/errors.js";
import { writeOutput } from "../../src/write/index.js";
import { snapshot, tempDir } from "../helpers.js";

describe("an update in place of the previous build", () => {
  const archive = (changes: Record<string, string | undefined> = {}) => {
    const files = new Map(Array.from({ length: 40 }, (_, i) => [`pages/${i}/index.html`, `page ${i}`]));
    files.set("index.html", "home");
    for (const [file, contents] of Object.entries(changes)) {
      if (contents === undefined) files.delete(file);
      else files.set(file, contents);
    }
    return [...files].map(([file, contents]) => ({ path: file, contents }));
  };
  const setup = async () => {
    const root = tempDir();
    const target = { outDir: path.join(root, "dist"), protectedDirs: [], manifestFile: path.join(root, ".cache", "outputs.json") };
    await writeOutput(target, archive());
    return { root, target, ino: (file = "") => fs.statSync(path.join(target.outDir, file)).ino };
  };

  it("writes only the files that changed, leaving the folder and the other files as they were", async () => {
    const { root, target, ino } = await setup();
    const folder = ino();
    const kept = ino("pages/1/index.html");
    const replaced = ino("index.html");
    await writeOutput(target, archive({ "index.html": "new home", "pages/0/index.html": undefined, "extra/new/index.html": "added" }));
    // Not swapped: the same folder, and the same file for what did not change.
    expect(ino()).toBe(folder);
    expect(ino("pages/1/index.html")).toBe(kept);
    expect(ino("index.html")).not.toBe(replaced);
    expect(fs.readFileSync(path.join(target.outDir, "index.html"), "utf8")).toBe("new home");
    expect(fs.readFileSync(path.join(target.outDir, "extra/new/index.html"), "utf8")).toBe("added");
    // The removed page and the folder it leaves empty are gone.
    expect(fs.existsSync(path.join(target.outDir, "pages/0"))).toBe(false);
    expect(snapshot(target.outDir)).toEqual(
      snapshot(await fresh(archive({ "index.html": "new home", "pages/0/index.html": undefined, "extra/new/index.html": "added" }))),
    );
    // Nothing left beside the output folder (staging, lock), and the next build knows it.
    expect(fs.readdirSync(root).sort()).toEqual([".cache", "dist"]);
    const again = ino("index.html");
    await writeOutput(target, archive({ "index.html": "new home", "pages/0/index.html": undefined, "extra/new/index.html": "added" }));
    expect(ino("index.html")).toBe(again);
  });

  it("writes a page longer than a slice with the bytes of its whole text, in place or whole, and knows its size the next time", async () => {
    const { root, target, ino } = await setup();
    // A surrogate pair across the first cut, two- and three-byte characters, a lone surrogate.
    const big = `${"a".repeat(2 ** 20 - 1)}😀${"é—".repeat(2 ** 19)}\uD800z`;
    const folder = ino();
    await writeOutput(target, archive({ "index.html": big }));
    const whole = { ...target, outDir: path.join(root, "whole"), manifestFile: path.join(root, ".cache", "whole.json") };
    await writeOutput(whole, archive({ "index.html": big }));
    expect(ino()).toBe(folder);
    for (const outDir of [target.outDir, whole.outDir]) {
      expect(fs.readFileSync(path.join(outDir, "index.html")).equals(Buffer.from(big))).toBe(true);
    }
    // The size each manifest holds is the file's: the next build keeps the file as it is.
    const [inPlace, swapped] = [ino("index.html"), fs.statSync(path.join(whole.outDir, "index.html")).ino];
    await writeOutput(target, archive({ "index.html": big }));
    await writeOutput(whole, archive({ "index.html": big }));
    expect([ino("index.html"), fs.statSync(path.join(whole.outDir, "index.html")).ino]).toEqual([inPlace, swapped]);
  });

  it("fails whole when a file given in pieces fails midway, in place or whole: the previous build stays, no file is left open", async () => {
    const { root, target } = await setup();
    const before = snapshot(target.outDir);
    const openFiles = () => fs.readdirSync("/proc/self/fd").length;
    const opened = openFiles();
    const failing = {
      path: "index.html",
      key: "failing",
      render: () => "never",
      *chunks() {
        yield "x".repeat(2 ** 20 + 1);
        throw new HindsightError("The cached body of a.md changed during the build");
      },
    };
    const files = archive().map((file) => (file.path === "index.html" ? failing : file));
    await expect(writeOutput(target, files)).rejects.toThrow("The cached body of a.md changed during the build");
    const whole = { ...target, outDir: path.join(root, "whole"), manifestFile: path.join(root, ".cache", "whole.json") };
    await writeOutput(whole, archive());
    await expect(writeOutput(whole, files)).rejects.toThrow("The cached body of a.md changed during the build");
    expect(snapshot(target.outDir)).toEqual(before);
    expect(snapshot(whole.outDir)).toEqual(before);
    expect(fs.readdirSync(root).sort()).toEqual([".cache", "dist", "whole"]);
    expect(openFiles()).toBe(opened);
  });

  it("makes a new folder when more files change than an update in place may replace", async () => {
    const { target, ino } = await setup();
    // 300 pages more, then all of them changed.
    const more = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`more/${i}.html`, `more ${i}`]));
    await writeOutput(target, archive(more));
    const folder = ino();
    const changes = Object.fromEntries(Object.keys(more).map((file) => [file, `changed ${file}`]));
    await writeOutput(target, archive(changes));
    expect(ino()).not.toBe(folder);
    expect(snapshot(target.outDir)).toEqual(snapshot(await fresh(archive(changes))));
  });

  it("does not trust a folder changed since the manifest was saved: a file cut by hand is made again", async () => {
    const { target } = await setup();
    const page = path.join(target.outDir, "pages/3/index.html");
    fs.writeFileSync(page, "cut");
    await writeOutput(target, archive({ "index.html": "new home" }));
    expect(fs.readFileSync(page, "utf8")).toBe("page 3");
    expect(snapshot(target.outDir)).toEqual(snapshot(await fresh(archive({ "index.html": "new home" }))));
  });

  it("makes the folder anew when an update in place fails halfway (a file in the way of a new folder)", async () => {
    const { target, ino } = await setup();
    const folder = ino();
    // Put there by hand, below the top, where the folder's identity does not see it.
    fs.writeFileSync(path.join(target.outDir, "pages", "extra"), "in the way");
    const changes = { "index.html": "new home", "pages/extra/index.html": "a new page" };
    await writeOutput(target, archive(changes));
    expect(ino()).not.toBe(folder);
    expect(snapshot(target.outDir)).toEqual(snapshot(await fresh(archive(changes))));
  });

  it("does not trust a manifest that names a file outside the output folder", async () => {
    const { root, target, ino } = await setup();
    const outside = path.join(root, "outside.html");
    fs.writeFileSync(outside, "not the archive's");
    const manifest = JSON.parse(fs.readFileSync(target.manifestFile, "utf8")) as { files: Record<string, unknown> };
    manifest.files["../outside.html"] = ["x", 17];
    fs.writeFileSync(target.manifestFile, JSON.stringify(manifest));
    const folder = ino();
    await writeOutput(target, archive({ "index.html": "new home" }));
    // Made anew (the manifest was not used), and the file outside left alone.
    expect(ino()).not.toBe(folder);
    expect(fs.readFileSync(outside, "utf8")).toBe("not the archive's");
    expect(snapshot(target.outDir)).toEqual(snapshot(await fresh(archive({ "index.html": "new home" }))));
  });

  it("makes the folder anew when a folder stands where the previous build wrote a file", async () => {
    const { target, ino } = await setup();
    const folder = ino();
    const page = path.join(target.outDir, "pages/3/index.html");
    fs.rmSync(page);
    fs.mkdirSync(page);
    await writeOutput(target, archive({ "index.html": "new home" }));
    expect(ino()).not.toBe(folder);
    expect(snapshot(target.outDir)).toEqual(snapshot(await fresh(archive({ "index.html": "new home" }))));
  });

  it("refuses two files at one path, as a whole build does", async () => {
    const { target } = await setup();
    const files = [...archive({ "index.html": "new home" }), { path: "index.html", contents: "again" }];
    await expect(writeOutput(target, files)).rejects.toThrow(/Two output files share the path index.html/);
    expect(fs.readFileSync(path.join(target.outDir, "index.html"), "utf8")).toBe("home");
  });

  it("breaks the lock of a build that was killed, and waits for one that is running", async () => {
    const { root, target } = await setup();
    const lock = path.join(root, ".dist.lock");
    // A pid that is not running, a while ago: the lock is stale.
    fs.writeFileSync(lock, "999999999 0123456789abcdef");
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(lock, old, old);
    await writeOutput(target, archive({ "index.html": "after a dead build" }));
    expect(fs.readFileSync(path.join(target.outDir, "index.html"), "utf8")).toBe("after a dead build");
    expect(fs.existsSync(lock)).toBe(false);
    // A lock held by a live process (this one, as far as the file says): the swap waits for it.
    fs.writeFileSync(lock, String(process.ppid));
    const changes = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`pages/${i}/index.html`, `waited ${i}`]));
    let settled = false;
    const writing = writeOutput(target, archive(changes)).then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(settled).toBe(false);
    fs.rmSync(lock);
    await writing;
    expect(fs.readFileSync(path.join(target.outDir, "pages/0/index.html"), "utf8")).toBe("waited 0");
  });
});

/** The same files written to a fresh folder, to compare an updated folder with. */
async function fresh(files: { path: string; contents: string }[]): Promise<string> {
  const outDir = path.join(tempDir(), "dist");
  await writeOutput({ outDir, protectedDirs: [] }, files);
  return outDir;
}
