import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { generate } from "../../src/build.js";
import { BuildSession } from "../../src/cache/session.js";
import { check } from "../../src/check.js";
import { HeadPack } from "../../src/cache/pack.js";
import { buildFromRecords as build, listFiles, numberedArchive, tempDir } from "../helpers.js";

// The pack: the first line of every record entry in one file (.cache/records.build.pack), read
// by a build instead of one file per postmortem. The entries' own files stay the truth.

function entryFiles(root: string): string[] {
  const dir = path.join(root, ".cache", "records");
  return fs.readdirSync(dir).flatMap((shard) => fs.readdirSync(path.join(dir, shard)).map((name) => path.join(dir, shard, name)));
}

const packOf = (root: string, mode = "build") => path.join(root, ".cache", `records.${mode}.pack`);
const packLines = (root: string) => fs.readFileSync(packOf(root), "utf8").split("\n").filter(Boolean);
const snapshot = (dir: string) => new Map(listFiles(dir).map((file) => [file, fs.readFileSync(path.join(dir, file), "utf8")]));

describe("the pack of records", () => {
  it("gives a warm build every record without reading the entries' first lines from their files", async () => {
    const root = numberedArchive(40);
    const cold = await build({ root, offline: true });
    expect(packLines(root)).toHaveLength(40);
    const before = snapshot(path.join(root, "dist"));
    // Every entry's own first line made unusable, its body kept: only the pack can make this build warm.
    for (const file of entryFiles(root)) {
      const [, body] = fs.readFileSync(file, "utf8").split("\n");
      fs.writeFileSync(file, `not a record\n${body}`);
    }
    const warm = await build({ root, offline: true });
    expect(warm.reused).toBe(cold.files.length);
    expect(snapshot(path.join(root, "dist"))).toEqual(before);
  });

  it("gets the new line appended when a postmortem changes, the old lines left as they are", async () => {
    const root = numberedArchive(40);
    await build({ root, offline: true });
    const before = fs.readFileSync(packOf(root), "utf8");
    const file = path.join(root, "content", "pm-3.md");
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("stalled", "stalled twice"));
    const changed = await build({ root, offline: true });
    expect(changed.reused).toBe(39);
    const after = fs.readFileSync(packOf(root), "utf8");
    expect(after.startsWith(before)).toBe(true);
    expect(after.slice(before.length).trimEnd().split("\n")).toHaveLength(1);
    // The next build takes all forty from it.
    const warm = await build({ root, offline: true });
    expect(warm.reused).toBe(40);
    expect(fs.readFileSync(path.join(root, "dist", "postmortems", "pm-3", "index.html"), "utf8")).toContain("stalled twice");
  });

  it("is written again without its stale lines once they pass a quarter of those in use", async () => {
    const root = numberedArchive(40);
    await build({ root, offline: true });
    const edit = (n: number) => {
      const file = path.join(root, "content", `pm-${n}.md`);
      fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("stalled", "stalled again"));
    };
    // Ten edits, one build each: ten stale lines of forty in use, appended.
    for (let n = 0; n < 10; n++) {
      edit(n);
      await build({ root, offline: true });
    }
    expect(packLines(root)).toHaveLength(50);
    expect(entryFiles(root)).toHaveLength(50);
    // One more is past a quarter: forty lines and forty entries, each of a postmortem as it is now.
    edit(10);
    const built = await build({ root, offline: true });
    expect(built.reused).toBe(39);
    expect(packLines(root)).toHaveLength(40);
    expect(new Set(packLines(root).map((line) => (JSON.parse(line) as { key: string }).key)).size).toBe(40);
    expect((await build({ root, offline: true })).reused).toBe(40);
  });

  it("keeps the later of two lines of a key when it is written again", async () => {
    const root = numberedArchive(40);
    await build({ root, offline: true });
    const lines = packLines(root);
    // An older line of pm-0's key before the one in use, and twelve stale lines: past a quarter once pm-5 changes.
    const older = lines[0]!.replace("Outage number 100", "Outage number 100 (older)");
    fs.writeFileSync(packOf(root), [older, ...lines, ...Array.from({ length: 12 }, () => "stale")].join("\n") + "\n");
    const file = path.join(root, "content", "pm-5.md");
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("stalled", "stalled twice"));
    expect((await build({ root, offline: true })).reused).toBe(39);
    const after = packLines(root);
    expect(after).toHaveLength(40);
    expect(after.filter((line) => line.includes("(older)"))).toEqual([]);
    expect(after).toContain(lines[0]);
  });

  it("appends after a line a stopped build left cut, and the cut line is only a miss", async () => {
    const root = numberedArchive(40);
    await build({ root, offline: true });
    const lines = packLines(root);
    // A build that stopped while appending: the last line cut, with no line break.
    fs.writeFileSync(packOf(root), `${lines.join("\n")}\n${lines[5]!.slice(0, 100)}`);
    const file = path.join(root, "content", "pm-7.md");
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("stalled", "stalled twice"));
    expect((await build({ root, offline: true })).reused).toBe(39);
    expect(fs.readFileSync(packOf(root), "utf8").split("\n").at(-2)).toContain('"relPath":"pm-7.md"');
    // Every line usable but the cut one: the next build takes all forty from the pack.
    for (const entry of entryFiles(root)) fs.writeFileSync(entry, `not a record\n${fs.readFileSync(entry, "utf8").split("\n")[1]}`);
    expect((await build({ root, offline: true })).reused).toBe(40);
  });

  it("is never trusted: a damaged or cut pack, or one from another schema, only makes the build read the entries' files", async () => {
    const root = numberedArchive(40);
    await build({ root, offline: true });
    const before = snapshot(path.join(root, "dist"));
    const lines = packLines(root);
    // A cut line, a line of another key's record under this key, garbage, and an entry of another schema.
    const other = JSON.parse(lines[1]!) as { key: string };
    fs.writeFileSync(
      packOf(root),
      [
        lines[0]!.slice(0, 200),
        lines[2]!.replace(/"key":"[0-9a-f]{64}"/, `"key":"${other.key}"`),
        "{garbage",
        lines[3]!.replace('{"schema":', '{"schema":1'),
      ].join("\n"),
    );
    const warm = await build({ root, offline: true });
    // The other record's postmortem processed again; the rest, the cut line's among them, from their files.
    expect(warm.reused).toBe(39);
    expect(snapshot(path.join(root, "dist"))).toEqual(before);
    // The forty lines appended after the four bad ones, which count as stale until the pack is written again.
    expect(packLines(root)).toHaveLength(44);
    expect((await build({ root, offline: true })).reused).toBe(40);
  });

  it("is kept apart for check, so that check and build one after the other stay warm", async () => {
    const root = numberedArchive(40);
    await check({ root });
    await build({ root, offline: true });
    await check({ root });
    expect(fs.readFileSync(packOf(root, "check"), "utf8").split("\n").filter(Boolean)).toHaveLength(40);
    expect(packLines(root)).toHaveLength(40);
    const warm = await build({ root, offline: true });
    expect(warm.reused).toBe(40);
  });

  it("is left as it is by a dev session's rebuilds, with nothing half-written beside it", async () => {
    const root = numberedArchive(40);
    await build({ root, offline: true });
    const before = fs.readFileSync(packOf(root));
    const session = new BuildSession();
    await generate({ root, offline: true }, session);
    fs.appendFileSync(path.join(root, "content", "pm-5.md"), "\nEdited in dev.\n");
    const rebuilt = await generate({ root, offline: true }, session);
    expect(rebuilt.result.ok).toBe(true);
    expect(fs.readFileSync(packOf(root))).toEqual(before);
    expect(fs.readdirSync(path.join(root, ".cache")).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });
});

describe("HeadPack", () => {
  const PREFIX = '{"schema":1,"key":"';
  const line = (n: number, size: number) => `${PREFIX}${String(n).padStart(64, "0")}","pad":"${"é".repeat(size)}"}`;
  const keyOf = (n: number) => String(n).padStart(64, "0");

  it("keeps every line whole across its 1 MB flushes, a line bigger than them too, and when written again", () => {
    const file = path.join(tempDir(), "records.build.pack");
    // About 2.6 MB of two-byte text in all, one line of 1.5 MB: several flushes, and one line written at once.
    const lines = [...Array.from({ length: 300 }, (_, n) => line(n, 2000 + n)), line(300, 750_000), line(301, 10)];
    const first = new HeadPack(file, PREFIX);
    first.read(new Set());
    for (const text of lines) first.add(text);
    first.commit();
    const read = new HeadPack(file, PREFIX).read(new Set(lines.map((_, n) => keyOf(n))));
    expect([...read.keys()]).toHaveLength(302);
    lines.forEach((text, n) => expect(read.get(keyOf(n))?.()).toBe(text));

    // A build that took half of the lines from the pack and added one: written again without the other half.
    const second = new HeadPack(file, PREFIX);
    const taken = second.read(new Set(lines.map((_, n) => keyOf(n))));
    for (let n = 0; n < 302; n += 2) second.took(keyOf(n));
    second.add(line(400, 5));
    expect(second.commit()).toBe(true);
    const again = new HeadPack(file, PREFIX).read(new Set([...taken.keys(), keyOf(400)]));
    expect(again.size).toBe(152);
    for (let n = 0; n < 302; n += 2) expect(again.get(keyOf(n))?.()).toBe(lines[n]);
    expect(again.get(keyOf(400))?.()).toBe(line(400, 5));
  });
});
