import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { build, generate } from "../../src/build.js";
import { BuildSession } from "../../src/cache/session.js";
import { check } from "../../src/check.js";
import { listFiles, numberedArchive } from "../helpers.js";

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

  it("is rewritten with the new line, and without the old, when a postmortem changes", async () => {
    const root = numberedArchive(40);
    await build({ root, offline: true });
    const file = path.join(root, "content", "pm-3.md");
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("stalled", "stalled twice"));
    const changed = await build({ root, offline: true });
    expect(changed.reused).toBe(39);
    const lines = packLines(root);
    expect(lines).toHaveLength(40);
    expect(new Set(lines.map((line) => (JSON.parse(line) as { key: string }).key)).size).toBe(40);
    // The next build takes all forty from it.
    const warm = await build({ root, offline: true });
    expect(warm.reused).toBe(40);
    expect(fs.readFileSync(path.join(root, "dist", "postmortems", "pm-3", "index.html"), "utf8")).toContain("stalled twice");
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
    // The cut line's and the other record's postmortems processed again; the rest from their files.
    expect(warm.reused).toBe(38);
    expect(snapshot(path.join(root, "dist"))).toEqual(before);
    expect(packLines(root)).toHaveLength(40);
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
