import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { contentKey } from "../../src/cache/keys.js";
import { IOError } from "../../src/errors.js";
import { buildFromRecords as build, numberedArchive } from "../helpers.js";

// The texts' stamps (.cache/texts.json): a build reads only the files whose size, times or
// inode changed since a build read them, as git's index does; the others' texts are known by
// their content keys. A file changed in the last two seconds gets no stamp (racily clean).

type Saved = { version: number; files: Record<string, [number, number, number, number, string]> };
const stampsOf = (root: string) => JSON.parse(fs.readFileSync(path.join(root, ".cache", "texts.json"), "utf8")) as Saved;

/** An archive of forty whose files were last written an hour ago. */
function settledArchive(): string {
  const root = numberedArchive(40);
  const hourAgo = new Date(Date.now() - 3_600_000);
  for (const name of fs.readdirSync(path.join(root, "content"))) fs.utimesSync(path.join(root, "content", name), hourAgo, hourAgo);
  return root;
}

/** The next build reads one postmortem again and processes it: its page shows `text`. */
async function expectReadAgain(root: string, slug: string, text: string): Promise<void> {
  const built = await build({ root, offline: true });
  expect(built.reused).toBe(39);
  expect(fs.readFileSync(path.join(root, "dist", "postmortems", slug, "index.html"), "utf8")).toContain(text);
}

describe("the texts' stamps", () => {
  it("give a warm build each unchanged file's text key without reading it: a stamp altered to another text's key is a miss, read and processed", async () => {
    const root = settledArchive();
    await build({ root, offline: true });
    const saved = stampsOf(root);
    const file = path.join(root, "content", "pm-5.md");
    expect(Object.keys(saved.files)).toHaveLength(40);
    expect(saved.files[file]![4]).toBe(contentKey(fs.readFileSync(file, "utf8")));
    expect((await build({ root, offline: true })).reused).toBe(40);
    // Were pm-5 read, its key would be right and its record found.
    saved.files[file]![4] = contentKey("another text");
    fs.writeFileSync(path.join(root, ".cache", "texts.json"), JSON.stringify(saved));
    await expectReadAgain(root, "pm-5", "The queue number 105 stalled.");
  });

  it("see an edit that keeps the file's size and time", async () => {
    const root = settledArchive();
    await build({ root, offline: true });
    const file = path.join(root, "content", "pm-3.md");
    const { mtime } = fs.statSync(file);
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("stalled", "stopped"));
    fs.utimesSync(file, mtime, mtime);
    expect(fs.statSync(file).size).toBe(stampsOf(root).files[file]![0]);
    await expectReadAgain(root, "pm-3", "The queue number 103 stopped.");
  });

  it("are never trusted when damaged: garbage, another version or a malformed entry makes the build read those files", async () => {
    const root = settledArchive();
    await build({ root, offline: true });
    const stamps = path.join(root, ".cache", "texts.json");
    const saved = stampsOf(root);
    const file = path.join(root, "content", "pm-7.md");
    const wrong = contentKey("another text");
    // Each damaged file claims pm-7 is another text; trusted, pm-7 would be a miss and processed again.
    const damaged = [
      "{garbage",
      "null",
      JSON.stringify({ ...saved, version: 2, files: { ...saved.files, [file]: [...saved.files[file]!.slice(0, 4), wrong] } }),
      JSON.stringify({ ...saved, files: { ...saved.files, [file]: [String(saved.files[file]![0]), ...saved.files[file]!.slice(1, 4), wrong] } }),
    ];
    for (const text of damaged) {
      fs.writeFileSync(stamps, text);
      const built = await build({ root, offline: true });
      expect(built.reused, text.slice(0, 40)).toBe(40);
      // Written anew from the files read.
      expect(stampsOf(root).files[file]![4]).toBe(contentKey(fs.readFileSync(file, "utf8")));
    }
  });

  it("are not kept for a file written in the last two seconds, and are dropped with the file", async () => {
    const root = settledArchive();
    fs.writeFileSync(path.join(root, "content", "pm-0.md"), fs.readFileSync(path.join(root, "content", "pm-0.md"), "utf8").replace("stalled", "stopped"));
    fs.rmSync(path.join(root, "content", "pm-1.md"));
    await build({ root, offline: true });
    const stamped = Object.keys(stampsOf(root).files).map((file) => path.basename(file));
    expect(stamped).toHaveLength(38);
    expect(stamped).not.toContain("pm-0.md");
  });
});

describe("texts let go by discovery", () => {
  it("are read again as each file is processed: one deleted meanwhile ends the build with an error naming it, and the output stays as it was", async () => {
    const root = numberedArchive(40);
    await build({ root, offline: true });
    const page = path.join(root, "dist", "postmortems", "pm-39", "index.html");
    const before = fs.readFileSync(page, "utf8");
    // Every record made again; the last file deleted once the first is processed, after discovery read and keyed it.
    fs.rmSync(path.join(root, ".cache", "records"), { recursive: true, force: true });
    fs.rmSync(path.join(root, ".cache", "records.build.pack"), { force: true });
    const victim = path.join(root, "content", "pm-39.md");
    const built = build({ root, offline: true, onProgress: () => fs.rmSync(victim, { force: true }) });
    await expect(built).rejects.toThrow(new IOError(`Cannot read ${victim}`));
    expect(fs.readFileSync(page, "utf8")).toBe(before);
  });
});
