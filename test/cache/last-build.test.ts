import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { build, type BuildOptions, type BuildResult } from "../../src/build.js";
import { contentKey } from "../../src/cache/keys.js";
import { cacheable } from "../../src/cache/records.js";
import type { PostmortemRecord } from "../../src/stages/record.js";
import { FORMATS, formatMessages, formatStylish } from "../../src/report/index.js";
import { buildFromRecords, listFiles, makePng, numberedArchive } from "../helpers.js";

// A build made from the inputs of the last one, whose output folder is as that build left it,
// says what that build said and writes nothing, reading no record (src/cache/last-build.ts).
// Any input changed, or the output folder touched, and the build is made.

/** Whether the build was taken whole from the last one: it processed nothing. */
const reused = (result: BuildResult) => result.timings.some(({ stage }) => stage === "reuse") && !result.timings.some(({ stage }) => stage === "process");
const stylish = (result: BuildResult, root: string) => formatStylish(result.files, { cwd: root, color: false });
const times = (dir: string) => new Map(listFiles(dir).map((file) => [file, fs.statSync(path.join(dir, file)).mtimeMs]));
const contents = (dir: string) => new Map(listFiles(dir).map((file) => [file, fs.readFileSync(path.join(dir, file)).toString("base64")]));
const lastOf = (root: string) => fs.readdirSync(path.join(root, ".cache", "outputs")).filter((name) => name.endsWith(".last.json"));

/** Forty postmortems, one with a warning, one showing a local image; none changed in the last seconds. */
function archive(): string {
  const root = numberedArchive(40);
  const content = path.join(root, "content");
  fs.appendFileSync(path.join(content, "pm-3.md"), "\n![The queue](queue.png)\n");
  fs.writeFileSync(path.join(content, "queue.png"), makePng(1, 1));
  fs.writeFileSync(path.join(content, "pm-5.md"), fs.readFileSync(path.join(content, "pm-5.md"), "utf8").replace("---\n\n", "status: reviewed\n---\n\n"));
  fs.writeFileSync(path.join(content, "pm-6.md"), fs.readFileSync(path.join(content, "pm-6.md"), "utf8").replace("---\n\n", "status: draft\n---\n\n"));
  settle(content);
  return root;
}

/** Dates every file of the folder an hour back: a file changed in the last two seconds has no stamp to trust. */
function settle(dir: string): void {
  const hourAgo = new Date(Date.now() - 3_600_000);
  for (const file of listFiles(dir)) fs.utimesSync(path.join(dir, file), hourAgo, hourAgo);
}

describe("the last build", () => {
  it("is taken whole by a build made from the same inputs: the same report, nothing written, no record read", async () => {
    const root = archive();
    const cold = await build({ root, offline: true });
    expect([cold.ok, cold.images.local]).toEqual([true, 1]);
    const [report] = lastOf(root);
    const kept = fs.readFileSync(path.join(root, ".cache", "outputs", report!));
    // What a build from the records says: the build taken whole must say the same, whichever
    // build kept the report (the cold one here, which processed an image the others do not).
    const first = await buildFromRecords({ root, offline: true });
    expect([first.ok, reused(first)]).toEqual([true, false]);
    fs.writeFileSync(path.join(root, ".cache", "outputs", report!), kept);
    expect(stylish(first, root)).toContain("frontmatter/status");
    const dist = path.join(root, "dist");
    const [before, written] = [contents(dist), times(dist)];
    // Without a record, a build that processed anything would process everything.
    fs.rmSync(path.join(root, ".cache", "records"), { recursive: true });
    fs.rmSync(path.join(root, ".cache", "records.build.pack"));

    const again = await build({ root, offline: true });
    expect(reused(again)).toBe(true);
    for (const format of FORMATS) expect(formatMessages(again.files, format, { cwd: root }), format).toBe(formatMessages(first.files, format, { cwd: root }));
    expect(again.files.map((file) => file.path)).toEqual(first.files.map((file) => file.path));
    expect({ ...again, config: undefined, files: undefined, timings: undefined, totalMs: undefined }).toEqual({
      ...first,
      config: undefined,
      files: undefined,
      timings: undefined,
      totalMs: undefined,
    });
    expect(contents(dist)).toEqual(before);
    expect(times(dist)).toEqual(written);
  });

  it("is taken whole after a build whose pages the writer's thread wrote (256 files or more): the manifest has their sizes", async () => {
    const root = numberedArchive(200);
    settle(path.join(root, "content"));
    expect((await build({ root, offline: true })).ok).toBe(true);
    expect(listFiles(path.join(root, "dist")).length).toBeGreaterThan(256);
    const again = await build({ root, offline: true });
    expect([again.ok, reused(again)]).toEqual([true, true]);
  });

  it("is made again when an input changed, and taken whole again once made", async () => {
    const root = archive();
    const content = path.join(root, "content");
    const dist = path.join(root, "dist");
    const config = JSON.parse(fs.readFileSync(path.join(root, "hindsight.config.json"), "utf8")) as Record<string, unknown>;
    const next = async (options: BuildOptions = {}) => build({ root, offline: true, ...options });
    await next();
    expect(reused(await next())).toBe(true);

    // A rule's setting: the report changes, not one output file.
    fs.writeFileSync(path.join(root, "hindsight.config.json"), JSON.stringify({ ...config, rules: { "frontmatter/status": "off" } }));
    const quiet = await next();
    expect(reused(quiet)).toBe(false);
    expect(stylish(quiet, root)).not.toContain("frontmatter/status");
    // The output folder's manifest names the new inputs: the build after is taken whole.
    expect(reused(await next())).toBe(true);
    fs.writeFileSync(path.join(root, "hindsight.config.json"), JSON.stringify(config));
    await next();

    // --strict: the warning stops the build.
    const strict = await next({ strict: true });
    expect([reused(strict), strict.ok]).toEqual([false, false]);
    // --drafts: the draft gets its page.
    const drafts = await next({ drafts: true });
    expect(reused(drafts)).toBe(false);
    expect(fs.existsSync(path.join(dist, "postmortems", "pm-6", "index.html"))).toBe(true);
    expect(reused(await next({ drafts: true }))).toBe(true);
    await next();

    // A text.
    fs.appendFileSync(path.join(content, "pm-7.md"), "\nThe consumers caught up.\n");
    expect(reused(await next())).toBe(false);
    expect(fs.readFileSync(path.join(dist, "postmortems", "pm-7", "index.html"), "utf8")).toContain("The consumers caught up.");

    // A local image: the same size, other bytes.
    const imagesBefore = listFiles(path.join(dist, "images"));
    fs.writeFileSync(path.join(content, "queue.png"), makePng(1, 1, 0x20));
    expect(reused(await next())).toBe(false);
    expect(listFiles(path.join(dist, "images"))).not.toEqual(imagesBefore);
    // Changed in the last two seconds, its stamp cannot tell the next change: the build after is made too.
    expect(reused(await next())).toBe(false);
    settle(content);
    await next();

    // A file of public/.
    fs.mkdirSync(path.join(root, "public"));
    fs.writeFileSync(path.join(root, "public", "robots.txt"), "User-agent: *\n");
    expect(reused(await next())).toBe(false);
    expect(fs.readFileSync(path.join(dist, "robots.txt"), "utf8")).toBe("User-agent: *\n");

    // A theme layout.
    const theme = path.join(root, "themes", "default", "layouts");
    fs.mkdirSync(theme, { recursive: true });
    fs.cpSync(path.join(import.meta.dirname, "..", "..", "themes", "default", "layouts"), theme, { recursive: true });
    fs.appendFileSync(path.join(theme, "404.eta"), "\n<!-- changed -->\n");
    expect(reused(await next())).toBe(false);
    expect(fs.readFileSync(path.join(dist, "404.html"), "utf8")).toContain("<!-- changed -->");
    expect(reused(await next())).toBe(true);

    // A file of the output folder, changed or deleted by hand.
    fs.writeFileSync(path.join(dist, "404.html"), "gone");
    expect(reused(await next())).toBe(false);
    expect(fs.readFileSync(path.join(dist, "404.html"), "utf8")).toContain("<!-- changed -->");
    fs.rmSync(path.join(dist, "postmortems", "pm-8", "index.html"));
    expect(reused(await next())).toBe(false);
    expect(fs.existsSync(path.join(dist, "postmortems", "pm-8", "index.html"))).toBe(true);
    expect(reused(await next())).toBe(true);
  });

  it("is kept for an archive whose config makes a file's own errors warnings, as hindsight init writes them", async () => {
    const root = archive();
    const configFile = path.join(root, "hindsight.config.json");
    const config = JSON.parse(fs.readFileSync(configFile, "utf8")) as object;
    const required = { fields: { required: ["title", "date", "severity"] } };
    fs.writeFileSync(configFile, JSON.stringify({ ...config, ...required, rules: { "frontmatter/required": "warn" } }));
    const first = await build({ root, offline: true });
    expect(first.ok).toBe(true);
    expect(stylish(first, root)).toContain("frontmatter/required");
    expect(reused(await build({ root, offline: true }))).toBe(true);
    // Errors again: the records, kept with their errors, are reused, and the build fails with them.
    fs.writeFileSync(configFile, JSON.stringify({ ...config, ...required }));
    const failed = await build({ root, offline: true });
    expect([failed.ok, failed.reused]).toEqual([false, 40]);
    expect(failed.files.filter((file) => file.messages.some((m) => m.fatal === true && m.ruleId === "frontmatter/required"))).toHaveLength(40);
  });

  it("is not kept by a build that read a file whose text was not the one its stamp said (an edit during the build)", async () => {
    const root = archive();
    await build({ root, offline: true });
    // A stamp that says pm-1 holds another text, as if the file changed between discovery and its
    // processing: discovery keys the build by that text, processing reads the file's own.
    const stampsFile = path.join(root, ".cache", "texts.json");
    const stamps = JSON.parse(fs.readFileSync(stampsFile, "utf8")) as { files: Record<string, unknown[]> };
    stamps.files[path.join(root, "content", "pm-1.md")]![4] = contentKey("another text");
    fs.writeFileSync(stampsFile, JSON.stringify(stamps));
    const built = await build({ root, offline: true });
    expect([built.ok, reused(built), built.reused]).toEqual([true, false, 39]);
    expect(lastOf(root)).toEqual([]);
    // The stamp still says the other text: taken whole, this build would show what that text made.
    expect(reused(await build({ root, offline: true }))).toBe(false);
  });

  it("takes a record kept with a file's own error, never one whose outcome is not the file's alone", () => {
    const withMessage = (ruleId: string | undefined, fatal: boolean | undefined) =>
      ({ messages: [{ reason: "A reason", line: 1, column: 1, ruleId, note: undefined, fatal }] }) as unknown as PostmortemRecord;
    for (const ruleId of ["sections/missing", "frontmatter/date", "content/too-deep", "limits/output-bytes", "limits/file-bytes"]) {
      expect(cacheable(withMessage(ruleId, true)), ruleId).toBe(true);
    }
    for (const ruleId of ["image/missing", "image/alt", "limits/time", "limits/memory", "limits/data-total-bytes"]) {
      expect(cacheable(withMessage(ruleId, false)), ruleId).toBe(false);
    }
    expect(cacheable(withMessage(undefined, true))).toBe(false);
    expect(cacheable(withMessage(undefined, false))).toBe(true);
  });

  it("is never trusted when its report is damaged or of other inputs, and is not kept for a build with a download or an image problem", async () => {
    const root = archive();
    await build({ root, offline: true });
    const [name] = lastOf(root);
    const file = path.join(root, ".cache", "outputs", name!);
    const saved = JSON.parse(fs.readFileSync(file, "utf8")) as { key: string; report: { files: [string, unknown[]][] } };
    const damaged = [
      "{garbage",
      "null",
      JSON.stringify({ ...saved, version: 2 }),
      JSON.stringify({ ...saved, key: "0".repeat(64) }),
      JSON.stringify({ ...saved, report: { ...saved.report, files: saved.report.files.map(([relPath]) => [relPath, [{ reason: 1 }]]) } }),
    ];
    for (const text of damaged) {
      fs.writeFileSync(file, text);
      const result = await build({ root, offline: true });
      expect(reused(result), text.slice(0, 40)).toBe(false);
      expect(result.ok).toBe(true);
    }
    expect(reused(await build({ root, offline: true }))).toBe(true);
    // Nor is a manifest with a damaged entry: the build is made, and makes the manifest anew.
    const manifestFile = file.replace(/\.last\.json$/, ".json");
    const manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8")) as { files: Record<string, unknown> };
    const [firstFile] = Object.keys(manifest.files);
    fs.writeFileSync(manifestFile, JSON.stringify({ ...manifest, files: { ...manifest.files, [firstFile!]: 5 } }));
    const afterDamage = await build({ root, offline: true });
    expect([afterDamage.ok, reused(afterDamage)]).toEqual([true, false]);
    expect(reused(await build({ root, offline: true }))).toBe(true);

    // A missing image may appear: a build that reports one (as a warning here) keeps no report.
    const configFile = path.join(root, "hindsight.config.json");
    const config = JSON.parse(fs.readFileSync(configFile, "utf8")) as object;
    fs.writeFileSync(configFile, JSON.stringify({ ...config, rules: { "image/missing": "warn" } }));
    fs.appendFileSync(path.join(root, "content", "pm-9.md"), "\n![A graph](missing.png)\n");
    expect((await build({ root, offline: true })).ok).toBe(true);
    expect(lastOf(root)).toEqual([]);
    expect(reused(await build({ root, offline: true }))).toBe(false);
    fs.writeFileSync(path.join(root, "content", "pm-9.md"), "---\ntitle: Outage number 109\ndate: 2024-02-10\n---\n\nThe queue stalled.\n");

    // A downloaded image is checked again after a day: a build that downloaded one keeps no report.
    const server = http.createServer((_, res) => res.writeHead(200, { "content-type": "image/png" }).end(makePng(2, 2)));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graph.png`;
      fs.appendFileSync(path.join(root, "content", "pm-10.md"), `\n![A graph](${url})\n`);
      fs.writeFileSync(configFile, JSON.stringify({ ...config, images: { allowHosts: ["127.0.0.1"] } }));
      const online = await build({ root });
      expect([online.ok, online.images.downloaded]).toEqual([true, 1]);
      expect(lastOf(root)).toEqual([]);
      expect(reused(await build({ root }))).toBe(false);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
