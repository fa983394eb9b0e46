import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { build } from "../../src/build.js";
import type { Head } from "../../src/cache/records.js";
import { listFiles, makePng, repoRoot, tempDir } from "../helpers.js";

// The persistent cache in .cache/: a warm build gives the same bytes as a cold one, and every
// kind of change reaches the next build.
const PNG_1PX = makePng(1, 1);
const PNG_2PX = makePng(2, 1);

function project(): string {
  const root = tempDir();
  fs.cpSync(path.join(repoRoot, "content"), path.join(root, "content"), { recursive: true });
  fs.mkdirSync(path.join(root, "content", "2024", "img"), { recursive: true });
  fs.writeFileSync(path.join(root, "content", "2024", "img", "graph.png"), PNG_1PX);
  const file = path.join(root, "content", "2024", "auth-token-cache-stampede.md");
  fs.appendFileSync(file, "\n![Error rate during the stampede](img/graph.png)\n");
  return root;
}

function snapshot(dir: string): Map<string, string> {
  return new Map(listFiles(dir).map((file) => [file, fs.readFileSync(path.join(dir, file)).toString("base64")]));
}

const pagePath = (root: string, slug: string) => path.join(root, "dist", "postmortems", slug, "index.html");

describe("the build cache", () => {
  it("makes a warm build byte-identical to a cold one, reusing every postmortem", async () => {
    const root = project();
    const cold = await build({ root, offline: true });
    expect(cold.ok).toBe(true);
    const before = snapshot(path.join(root, "dist"));
    expect(fs.readdirSync(path.join(root, ".cache", "records")).length).toBeGreaterThan(0);
    const warm = await build({ root, offline: true });
    expect(warm.ok).toBe(true);
    expect(cold.reused).toBe(0);
    // All but the seed, whose remote images cannot be fetched offline: a failed download is tried again.
    expect(warm.reused).toBe(cold.files.length - 1);
    expect(snapshot(path.join(root, "dist"))).toEqual(before);
    // The same messages, the seed's image warnings included.
    expect(warm.files.map((f) => f.messages.map(String))).toEqual(cold.files.map((f) => f.messages.map(String)));
    // Without the cache, the same bytes again.
    fs.rmSync(path.join(root, ".cache"), { recursive: true });
    await build({ root, offline: true });
    expect(snapshot(path.join(root, "dist"))).toEqual(before);
  });

  it("stays warm when restored at another path with every file's time new, as in CI", async () => {
    const root = project();
    const cold = await build({ root, offline: true });
    expect(cold.ok).toBe(true);
    const searchEntries = fs.readdirSync(path.join(root, ".cache", "search")).length;
    // CI: the checkout is somewhere else, one folder deeper, every file just written; .cache/ restored beside it, dist/ not.
    const moved = path.join(tempDir(), "checkout", "archive");
    fs.cpSync(root, moved, { recursive: true, filter: (source) => path.relative(root, source) !== "dist" });
    const later = new Date(Date.now() + 60 * 60 * 1000);
    for (const entry of fs.readdirSync(moved, { recursive: true, withFileTypes: true })) fs.utimesSync(path.join(entry.parentPath, entry.name), later, later);
    const warm = await build({ root: moved, offline: true });
    expect(warm.ok).toBe(true);
    // Every postmortem reused, the one with a local image included; the seed's failed downloads are tried again.
    expect(warm.reused).toBe(cold.files.length - 1);
    // The search index came from the cache: no entry was added for other inputs.
    expect(fs.readdirSync(path.join(moved, ".cache", "search")).length).toBe(searchEntries);
    expect(snapshot(path.join(moved, "dist"))).toEqual(snapshot(path.join(root, "dist")));
  });

  it("shows a change to content, config, theme or a local image in the next build", async () => {
    const root = project();
    await build({ root, offline: true });
    const file = path.join(root, "content", "2024", "auth-token-cache-stampede.md");
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace(/^title: .*$/m, 'title: "Token cache stampede, revised"'));
    const changed = await build({ root, offline: true });
    // One file changed; the seed is never cached (its remote images could not be fetched offline).
    expect(changed.reused).toBe(changed.files.length - 2);
    expect(fs.readFileSync(pagePath(root, "2024/auth-token-cache-stampede"), "utf8")).toContain("Token cache stampede, revised");

    fs.writeFileSync(path.join(root, "hindsight.config.json"), JSON.stringify({ title: "Ledger of Mishaps", sections: [] }));
    await build({ root, offline: true });
    expect(fs.readFileSync(path.join(root, "dist", "index.html"), "utf8")).toContain("Ledger of Mishaps");

    fs.mkdirSync(path.join(root, "themes", "default", "layouts"), { recursive: true });
    fs.writeFileSync(path.join(root, "themes", "default", "layouts", "postmortem.eta"), "<main><%= it.pm.meta.title %> (custom)</main>");
    await build({ root, offline: true });
    expect(fs.readFileSync(pagePath(root, "2024/auth-token-cache-stampede"), "utf8")).toBe("<main>Token cache stampede, revised (custom)</main>");
    fs.rmSync(path.join(root, "themes"), { recursive: true });

    const imagesBefore = listFiles(path.join(root, "dist")).filter((f) => f.startsWith("images/"));
    fs.writeFileSync(path.join(root, "content", "2024", "img", "graph.png"), PNG_2PX);
    await build({ root, offline: true });
    const page = fs.readFileSync(pagePath(root, "2024/auth-token-cache-stampede"), "utf8");
    expect(page).toMatch(/<img src="..\/..\/..\/images\/[0-9a-f]{20}\.png" alt="Error rate during the stampede"[^>]* width="2" height="1"/);
    expect(listFiles(path.join(root, "dist")).filter((f) => f.startsWith("images/"))).not.toEqual(imagesBefore);
  });

  it("detects a corrupt or tampered cache and builds as if it were not there", async () => {
    const root = project();
    await build({ root, offline: true });
    const before = snapshot(path.join(root, "dist"));
    const recordsDir = path.join(root, ".cache", "records");
    const entries = fs
      .readdirSync(recordsDir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => path.join(e.parentPath, e.name));
    // One entry cut in half, one whose page was altered, every image blob replaced.
    fs.writeFileSync(entries[0]!, fs.readFileSync(entries[0]!, "utf8").slice(0, 100));
    // An entry is its record's line, then its body's line.
    const [head, body] = fs.readFileSync(entries[1]!, "utf8").split("\n");
    const altered = JSON.parse(head!) as Record<string, unknown>;
    altered.key = "0".repeat(64);
    fs.writeFileSync(entries[1]!, `${JSON.stringify(altered)}\n${body}`);
    // And one whose body was altered after the build that wrote it.
    const [head2, body2] = fs.readFileSync(entries[2]!, "utf8").split("\n");
    fs.writeFileSync(entries[2]!, `${head2}\n${body2!.replace("<p>", "<p>Altered. ")}`);
    for (const blob of fs.readdirSync(path.join(root, ".cache", "blobs"))) fs.writeFileSync(path.join(root, ".cache", "blobs", blob), "not an image");
    const result = await build({ root, offline: true });
    expect(result.ok).toBe(true);
    expect(snapshot(path.join(root, "dist"))).toEqual(before);
  });

  it("gives the same archive with and without worker threads, cold and warm", async () => {
    const root = project();
    await build({ root, offline: true, workers: 2 });
    const threaded = snapshot(path.join(root, "dist"));
    await build({ root, offline: true, workers: 2 });
    expect(snapshot(path.join(root, "dist"))).toEqual(threaded);
    fs.rmSync(path.join(root, ".cache"), { recursive: true });
    await build({ root, offline: true, workers: 0 });
    expect(snapshot(path.join(root, "dist"))).toEqual(threaded);
  });

  it("takes unchanged pages from the previous build instead of making them again", async () => {
    const root = project();
    await build({ root, offline: true });
    const inode = (relPath: string) => fs.statSync(path.join(root, "dist", relPath)).ino;
    const pages = listFiles(path.join(root, "dist")).filter((f) => f.startsWith("postmortems/") && f !== "postmortems/index.html");
    const before = new Map(pages.map((page) => [page, inode(page)]));
    await build({ root, offline: true });
    // The same files (hard links to the previous build's), not new copies.
    for (const page of pages) expect(inode(page), page).toBe(before.get(page));

    const changed = "postmortems/2023/cdn-expired-tls-certificate/index.html";
    const file = path.join(root, "content", "2023", "cdn-expired-tls-certificate.md");
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace(/^## Timeline/m, "A new sentence.\n\n## Timeline"));
    await build({ root, offline: true });
    expect(inode(changed)).not.toBe(before.get(changed));
    expect(fs.readFileSync(path.join(root, "dist", changed), "utf8")).toContain("A new sentence.");
    // Pages that show it (its neighbours, those that list it as related) are made again; the others are taken as they were.
    const kept = pages.filter((page) => inode(page) === before.get(page));
    expect(kept.length).toBeGreaterThan(0);
  });

  it("makes every page again when the output folder is not the previous build any more", async () => {
    const root = project();
    await build({ root, offline: true });
    const page = path.join(root, "dist", "postmortems/2019/auth-service-outage/index.html");
    fs.writeFileSync(page, "tampered, same size?".padEnd(fs.statSync(page).size, " "));
    fs.writeFileSync(path.join(root, "dist", "stray.txt"), "a file added by hand");
    await build({ root, offline: true });
    expect(fs.readFileSync(page, "utf8")).toContain("<!doctype html>");
  });

  it("processes a postmortem with downloaded images again after a day, so they are revalidated", async () => {
    const { RecordCache } = await import("../../src/cache/records.js");
    const { recordKey } = await import("../../src/cache/keys.js");
    const dir = tempDir();
    const cache = new RecordCache(dir, dir);
    const record = { relPath: "a.md", meta: {}, metaKey: "m", slugPlace: undefined, messages: [], links: [], body: undefined, images: [], localFiles: [] };
    const [local, remote] = [recordKey("settings", "a.md", "local"), recordKey("settings", "a.md", "remote")];
    cache.set(local, { ...record, remote: false } as never, []);
    cache.set(remote, { ...record, remote: true } as never, []);
    expect(cache.get(local)).toBeDefined();
    expect(cache.get(remote)).toBeDefined();
    const dayAgo = new Date(Date.now() - 25 * 60 * 60 * 1000);
    for (const entry of fs.readdirSync(path.join(dir, "records"), { recursive: true, withFileTypes: true }).filter((e) => e.isFile())) {
      fs.utimesSync(path.join(entry.parentPath, entry.name), dayAgo, dayAgo);
    }
    expect(cache.get(local)).toBeDefined();
    expect(cache.get(remote)).toBeUndefined();
  });

  it("reads entries in a batch (as for a cold disk) and gives the same records, checked the same way", async () => {
    const { RecordCache } = await import("../../src/cache/records.js");
    const { recordKey } = await import("../../src/cache/keys.js");
    const dir = tempDir();
    const cache = new RecordCache(dir, dir);
    const record = {
      relPath: "a.md",
      meta: {},
      metaKey: "m",
      slugPlace: undefined,
      messages: [],
      links: [],
      body: undefined,
      images: [],
      localFiles: [],
      remote: false,
    };
    const keys = ["one", "two", "three"].map((text) => recordKey("settings", "a.md", text));
    keys.forEach((key, i) => cache.set(key, { ...record, relPath: `${i}.md` } as never, []));
    const ahead = new RecordCache(dir, dir);
    const never = recordKey("settings", "a.md", "never stored");
    const texts: (Head | undefined)[] = [];
    for await (const text of ahead.read([...keys, never])) texts.push(text);
    expect(keys.map((key, i) => ahead.get(key, texts[i])?.record.relPath)).toEqual(["0.md", "1.md", "2.md"]);
    expect(texts[3]).toBeUndefined();
    expect(ahead.get(never)).toBeUndefined();
    // An entry read ahead is checked like one read now: another key's entry is not taken.
    const entry = fs.readdirSync(path.join(dir, "records"), { recursive: true, withFileTypes: true }).find((e) => e.isFile() && e.name.startsWith(keys[0]!))!;
    const other = new RecordCache(dir, dir);
    fs.copyFileSync(path.join(entry.parentPath, entry.name), path.join(dir, "records", keys[1]!.slice(0, 2), `${keys[1]}.json`));
    let copied: Head | undefined;
    for await (const text of other.read([keys[1]!])) copied = text;
    expect(copied).toBeDefined();
    expect(other.get(keys[1]!, copied)).toBeUndefined();
  });

  it("points a cached page's link at the new page when the postmortem it links to moves", async () => {
    const root = project();
    const from = path.join(root, "content", "2024", "sms-provider-outage-notification-backlog.md");
    fs.writeFileSync(
      from,
      fs.readFileSync(from, "utf8").replace(/^## Timeline/m, "See [the CDN outage](../2023/cdn-expired-tls-certificate.md).\n\n## Timeline"),
    );
    await build({ root, offline: true });
    const page = () => fs.readFileSync(pagePath(root, "2024/sms-provider-outage-notification-backlog"), "utf8");
    expect(page()).toContain('href="../../../postmortems/2023/cdn-expired-tls-certificate/index.html"');
    const target = path.join(root, "content", "2023", "cdn-expired-tls-certificate.md");
    fs.writeFileSync(target, fs.readFileSync(target, "utf8").replace(/^---\n/, "---\nslug: edge/certificate-expiry\n"));
    const result = await build({ root, offline: true });
    expect(result.ok).toBe(true);
    expect(page()).toContain('href="../../../postmortems/edge/certificate-expiry/index.html"');
  });

  it("writes nothing when nothing changed, but restores a file deleted from the output by hand", async () => {
    const root = project();
    await build({ root, offline: true });
    const dist = path.join(root, "dist");
    const folder = fs.statSync(dist).ino;
    const before = snapshot(dist);
    await build({ root, offline: true });
    // The same folder: not swapped, since there was nothing to write.
    expect(fs.statSync(dist).ino).toBe(folder);
    fs.rmSync(path.join(dist, "postmortems/2019/auth-service-outage/index.html"));
    await build({ root, offline: true });
    expect(snapshot(dist)).toEqual(before);
  });

  it("builds once a missing image is added: a record with an error is not kept", async () => {
    const root = project();
    fs.rmSync(path.join(root, "content", "2024", "img", "graph.png"));
    const failed = await build({ root, offline: true });
    expect(failed.ok).toBe(false);
    fs.writeFileSync(path.join(root, "content", "2024", "img", "graph.png"), PNG_1PX);
    const fixed = await build({ root, offline: true });
    expect(fixed.ok).toBe(true);
  });
});
