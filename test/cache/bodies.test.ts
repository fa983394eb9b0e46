import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { build, generate } from "../../src/build.js";
import { IOError } from "../../src/errors.js";
import { contentsOf, type Output } from "../../src/types.js";
import { RecordCache } from "../../src/cache/records.js";
import { BuildSession } from "../../src/cache/session.js";
import { bodyHash } from "../../src/stages/record.js";
import { collectNow } from "../../src/util/heap.js";
import { buildFromRecords, makePng, numberedArchive, repoRoot, tempDir } from "../helpers.js";

// Bodies stay on disk: a record in .cache/records/ is its first line (what the build needs of a
// postmortem) and its body on the second, read back only when a page or a search fragment is
// made again. A warm build reads no body and renders no page; one changed reads its own.

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

// Fewer than the worker pool's threshold: processed in this thread, where the spies see it.
// Its page frame counts the pages rendered (a theme's layout is code run by the build).
function archive(): string {
  const root = numberedArchive(40);
  const layouts = path.join(root, "themes", "default", "layouts");
  fs.mkdirSync(layouts, { recursive: true });
  const frame = fs.readFileSync(path.join(repoRoot, "themes", "default", "layouts", "layout.eta"), "utf8");
  fs.writeFileSync(path.join(layouts, "layout.eta"), `<% globalThis.renders = (globalThis.renders ?? 0) + 1 %>${frame}`);
  return root;
}

const renders = () => (globalThis as { renders?: number }).renders ?? 0;

/** The page of `content/pm-<n>.md`. */
const pageOf = (root: string, n: number) => fs.readFileSync(path.join(root, "dist", "postmortems", `pm-${n}`, "index.html"), "utf8");

/** The record cache's entry files. */
function entries(root: string): string[] {
  const dir = path.join(root, ".cache", "records");
  return fs.readdirSync(dir).flatMap((shard) => fs.readdirSync(path.join(dir, shard)).map((name) => path.join(dir, shard, name)));
}

describe("bodies left in the record cache", () => {
  it("are read back for a cold build's pages past the memory for bodies, and not at all by a warm build", async () => {
    const root = archive();
    // No room for bodies in memory (the default): each is read back from the cache.
    vi.stubEnv("HINDSIGHT_BODY_MEMORY_MB", "0");
    const contents = vi.spyOn(RecordCache.prototype, "contents");
    const terms = vi.spyOn(RecordCache.prototype, "terms");
    const rendersBefore = renders();
    const cold = await build({ root, offline: true });
    expect(cold.ok).toBe(true);
    // Each page and fragment made: a body read back once per postmortem, for its page and its fragment made one after the other.
    expect(new Set(contents.mock.calls.map(([key]) => key)).size).toBe(cold.postmortems);
    expect(contents.mock.calls.length).toBe(cold.postmortems);
    // And its search terms, once, for the index.
    expect(terms.mock.calls.length).toBe(cold.postmortems);
    expect(terms.mock.results.every((result) => result.type === "return" && typeof result.value?.counts === "string")).toBe(true);
    expect(renders() - rendersBefore).toBeGreaterThan(cold.postmortems);
    expect(pageOf(root, 7)).toContain("The queue number 107 stalled.");

    contents.mockClear();
    terms.mockClear();
    const rendersWarm = renders();
    const warm = await buildFromRecords({ root, offline: true });
    expect(warm.unchanged).toBe(cold.postmortems);
    expect(contents).not.toHaveBeenCalled();
    expect(terms).not.toHaveBeenCalled();
    expect(renders()).toBe(rendersWarm);
  });

  it("holds fresh bodies while there is room; an edit to one body makes its page alone again, a new title the lists too", async () => {
    const root = archive();
    vi.stubEnv("HINDSIGHT_BODY_MEMORY_MB", "128");
    const contents = vi.spyOn(RecordCache.prototype, "contents");
    await build({ root, offline: true });
    expect(contents).not.toHaveBeenCalled();
    const file = path.join(root, "content", "pm-7.md");
    fs.appendFileSync(file, "\nA sentence added to the timeline.\n");
    const rendersBefore = renders();
    const changed = await build({ root, offline: true });
    expect(changed.unchanged).toBe(changed.postmortems - 1);
    // An edit to the body alone makes its own page again, and the search page (the index changed): no list.
    expect(renders() - rendersBefore).toBe(2);
    expect(pageOf(root, 7)).toContain("A sentence added to the timeline.");
    expect(new Set(contents.mock.calls.map(([key]) => key)).size).toBe(0);

    // A new title is shown by the lists and by its neighbours' pages.
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("title: Outage number 107", "title: Queue outage 107"));
    await build({ root, offline: true });
    expect(fs.readFileSync(path.join(root, "dist", "postmortems", "index.html"), "utf8")).toContain("Queue outage 107");
    expect(fs.readFileSync(path.join(root, "dist", "index.html"), "utf8")).toContain("Queue outage 107");
    expect(Array.from({ length: 40 }, (_, n) => n).filter((n) => n !== 7 && pageOf(root, n).includes("Queue outage 107")).length).toBe(2);
    // Their bodies read back for that: its old and new neighbours (a title orders postmortems of one day), a few of forty.
    expect(new Set(contents.mock.calls.map(([key]) => key)).size).toBeLessThanOrEqual(4);
  });

  it("keep the record on the first line and the body on the second", async () => {
    const root = archive();
    await build({ root, offline: true });
    const [first, second, ...rest] = fs.readFileSync(entries(root)[0] ?? "", "utf8").split("\n");
    expect(rest).toEqual([]);
    const head = JSON.parse(first ?? "") as { record: { body: { hash: string; fragment: string }; contents?: unknown } };
    expect(head.record.contents).toBeUndefined();
    expect(head.record.body.hash).toMatch(/^[0-9a-f]{64}$/);
    const body = JSON.parse(second ?? "") as { html: string; toc: unknown[]; text: string };
    expect(body.html).toContain("<p>");
    expect(body.text.length).toBeGreaterThan(0);
  });

  it("never trusts a body that does not match its record: a damaged or altered second line is a miss", () => {
    const root = tempDir();
    const cache = new RecordCache(path.join(root, ".cache"), root);
    const key = "ab".padEnd(64, "0");
    const record = {
      relPath: "2024/a.md",
      meta: {},
      metaKey: "m",
      slugPlace: undefined,
      messages: [],
      links: [],
      terms: undefined,
      images: [],
      remote: false,
      localFiles: [],
    };
    const contents = { html: "<p>Hello</p>", toc: [], text: "Hello" };
    const hash = bodyHash(contents);
    expect(cache.set(key, { ...record, body: { nonce: "n", links: [], hash, fragment: "f" }, contents } as never, [])).toBe(true);
    expect(cache.contents(key, hash)).toEqual(contents);
    expect(cache.contents(key, bodyHash({ ...contents, html: "<p>Other</p>" }))).toBeUndefined();
    const file = entries(root)[0] ?? "";
    const [first] = fs.readFileSync(file, "utf8").split("\n");
    fs.writeFileSync(file, `${first}\n{"html": "<p>Hel`);
    expect(cache.contents(key, hash)).toBeUndefined();
    fs.writeFileSync(file, `${first}\n${JSON.stringify({ ...contents, html: "<p>Altered</p>" })}`);
    expect(cache.contents(key, hash)).toBeUndefined();
    // The words the search index and the fragment take from it, altered alone, too.
    fs.writeFileSync(file, `${first}\n${JSON.stringify({ ...contents, text: "Hello TAMPERED" })}`);
    expect(cache.contents(key, hash)).toBeUndefined();
    fs.rmSync(file);
    expect(cache.contents(key, hash)).toBeUndefined();
  });

  it("never trusts search terms that do not match their record: another body's, a damaged line, a gone entry", () => {
    const root = tempDir();
    const cache = new RecordCache(path.join(root, ".cache"), root);
    const key = "cd".padEnd(64, "0");
    const terms = { length: 3, counts: "queue 2 stall 1" };
    const record = { relPath: "a.md", meta: {}, metaKey: "m", slugPlace: undefined, messages: [], links: [], terms, images: [], remote: false, localFiles: [] };
    expect(cache.set(key, { ...record, body: { nonce: "n", links: [], hash: "h1", fragment: "f" } } as never, [])).toBe(true);
    expect(cache.terms(key, "h1")).toEqual(terms);
    expect(cache.terms(key, "h2")).toBeUndefined();
    expect(cache.terms("ef".padEnd(64, "0"), "h1")).toBeUndefined();
    const file = entries(root)[0] ?? "";
    const [first, second] = fs.readFileSync(file, "utf8").split("\n");
    fs.writeFileSync(file, `${first!.replace('"counts":"queue 2 stall 1"', '"counts":7')}\n${second}`);
    expect(cache.terms(key, "h1")).toBeUndefined();
    fs.writeFileSync(file, `${first!.slice(0, 80)}\n${second}`);
    expect(cache.terms(key, "h1")).toBeUndefined();
    fs.rmSync(file);
    expect(cache.terms(key, "h1")).toBeUndefined();
  });

  it("images of postmortems processed now are read back from .cache/blobs/ when written, and one changed meanwhile ends the write", async () => {
    const root = numberedArchive(3);
    const pngs = [0x20, 0x60, 0xa0].map((shade) => makePng(2, 2, shade));
    pngs.forEach((png, i) => fs.appendFileSync(path.join(root, "content", `pm-${i}.md`), `\n![Graph ${i}](data:image/png;base64,${png.toString("base64")})\n`));
    const image = vi.spyOn(RecordCache.prototype, "image");
    const cold = await build({ root, offline: true });
    expect(cold.ok).toBe(true);
    // Three when written (when stored, `writeEntry` checks for a blob there already on its own).
    expect(image.mock.calls.length).toBe(3);
    const written = fs.readdirSync(path.join(root, "dist", "images")).map((name) => fs.readFileSync(path.join(root, "dist", "images", name)));
    expect(written.map((bytes) => bytes.toString("base64")).sort()).toEqual(pngs.map((png) => png.toString("base64")).sort());

    // Another build replaced a blob with other bytes after this one processed the postmortems.
    fs.rmSync(path.join(root, ".cache"), { recursive: true, force: true });
    fs.rmSync(path.join(root, "dist"), { recursive: true, force: true });
    const { outputs } = await generate({ root, offline: true });
    const lazy = outputs?.find((file) => file.path.startsWith("images/"));
    expect(lazy && "render" in lazy).toBe(true);
    const blobs = path.join(root, ".cache", "blobs");
    for (const name of fs.readdirSync(blobs)) fs.writeFileSync(path.join(blobs, name), makePng(2, 2, 0xff));
    expect(() => contentsOf(lazy!)).toThrow(new IOError(`The cached image ${lazy!.path} changed during the build (another build in .cache/?): build again`));
  });

  it("image bytes are not held from processing to writing, whether the postmortem is processed now or taken from the cache", async () => {
    const root = numberedArchive(3);
    [0x30, 0x70, 0xb0].forEach((shade, i) =>
      fs.appendFileSync(path.join(root, "content", `pm-${i}.md`), `\n![Graph ${i}](data:image/png;base64,${makePng(2, 2, shade).toString("base64")})\n`),
    );
    // Every image's bytes this build had: given to the cache to store, or read from it. Not
    // spies, which would hold them.
    const refs: WeakRef<object>[] = [];
    const set = Reflect.get(RecordCache.prototype, "set");
    const image = Reflect.get(RecordCache.prototype, "image");
    RecordCache.prototype.set = function (this: RecordCache, ...args: Parameters<typeof set>) {
      for (const file of args[2]) refs.push(new WeakRef(file.contents as object));
      return set.apply(this, args);
    };
    RecordCache.prototype.image = function (this: RecordCache, ...args: Parameters<typeof image>) {
      const bytes = image.apply(this, args);
      if (bytes) refs.push(new WeakRef(bytes));
      return bytes;
    };
    try {
      for (const build of ["processed now", "taken from the cache"]) {
        refs.length = 0;
        const { outputs } = await generate({ root, offline: true });
        // A WeakRef keeps its target until the current job is over.
        await new Promise((resolve) => setTimeout(resolve, 0));
        collectNow();
        expect({ build, refs: refs.length, held: refs.filter((ref) => ref.deref() !== undefined).length }).toEqual({ build, refs: 3, held: 0 });
        // Still to be written: each one read back then.
        expect((outputs ?? []).filter((file) => file.path.startsWith("images/") && "render" in file)).toHaveLength(3);
      }
    } finally {
      Object.assign(RecordCache.prototype, { set, image });
    }
  });

  it("a damaged image blob is written again by the next build that processes its postmortem, which then succeeds", async () => {
    const root = numberedArchive(2);
    const png = makePng(2, 2, 0x40);
    fs.appendFileSync(path.join(root, "content", "pm-0.md"), `\n![Graph](data:image/png;base64,${png.toString("base64")})\n`);
    expect((await build({ root, offline: true })).ok).toBe(true);
    const blobs = path.join(root, ".cache", "blobs");
    const [name] = fs.readdirSync(blobs);
    fs.writeFileSync(path.join(blobs, name!), "damaged");
    // Its record made again (the records gone), with the blob still there under its name.
    fs.rmSync(path.join(root, ".cache", "records"), { recursive: true, force: true });
    fs.rmSync(path.join(root, ".cache", "records.build.pack"), { force: true });
    fs.rmSync(path.join(root, "dist"), { recursive: true, force: true });
    expect((await build({ root, offline: true })).ok).toBe(true);
    expect(fs.readFileSync(path.join(blobs, name!))).toEqual(png);
    expect(fs.readFileSync(path.join(root, "dist", "images", name!))).toEqual(png);
  });

  it("in a dev session, image blobs deleted between rebuilds fail one rebuild at most: the session forgets the records whose images were there", async () => {
    const root = numberedArchive(2);
    fs.appendFileSync(path.join(root, "content", "pm-0.md"), `\n![Graph](data:image/png;base64,${makePng(2, 2, 0x50).toString("base64")})\n`);
    const session = new BuildSession();
    expect((await generate({ root, offline: true }, session)).result.ok).toBe(true);
    fs.rmSync(path.join(root, ".cache", "blobs"), { recursive: true, force: true });
    const images = (outputs: readonly Output[] | undefined) => (outputs ?? []).filter((file) => file.path.startsWith("images/"));
    const stale = await generate({ root, offline: true }, session);
    expect(images(stale.outputs)).toHaveLength(1);
    expect(() => images(stale.outputs).forEach((file) => contentsOf(file))).toThrow(IOError);
    const again = await generate({ root, offline: true }, session);
    expect(images(again.outputs).map((file) => contentsOf(file))).toHaveLength(1);
  });

  it("in a dev session, a .cache/ deleted between rebuilds fails one rebuild at most: the session forgets the records whose bodies and terms were there", async () => {
    const root = archive();
    const session = new BuildSession();
    const first = await generate({ root, offline: true }, session);
    expect(first.result.ok).toBe(true);
    fs.rmSync(path.join(root, ".cache"), { recursive: true, force: true });
    // A new title: its neighbours' pages and the lists are made again from the session's records.
    const file = path.join(root, "content", "pm-7.md");
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("title: Outage number 107", "title: Queue outage 107"));
    // That rebuild fails: its search index needs their terms, or its pages their bodies, and both are gone.
    const stale = generate({ root, offline: true }, session).then(({ outputs }) => (outputs ?? []).forEach((output) => contentsOf(output)));
    await expect(stale).rejects.toThrow(IOError);
    for (let rebuild = 0; rebuild < 2; rebuild++) {
      const { result, outputs } = await generate({ root, offline: true }, session);
      expect(result.ok).toBe(true);
      const pages = (outputs ?? []).filter((output) => output.path.startsWith("postmortems/pm-") || output.path.startsWith("search/f/"));
      expect(pages.length).toBeGreaterThanOrEqual(80);
      // Every page and fragment can be made, none from a body read back.
      for (const page of pages) expect(typeof contentsOf(page)).toBe("string");
    }
  });

  it("ends the build with a clear error, naming the file, when a body left on disk changed before its page was made", async () => {
    const root = archive();
    vi.stubEnv("HINDSIGHT_BODY_MEMORY_MB", "0");
    const { outputs } = await generate({ root, offline: true });
    const page = outputs?.find((file) => file.path === "postmortems/pm-7/index.html");
    expect(page && "render" in page).toBe(true);
    // Another build refreshed every entry meanwhile: the bodies no longer match the records this build holds.
    for (const file of entries(root)) {
      const [head, body] = fs.readFileSync(file, "utf8").split("\n");
      fs.writeFileSync(file, `${head}\n${body!.replace("stalled", "stalled again")}`);
    }
    let thrown: unknown;
    try {
      contentsOf(page!);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(IOError);
    expect((thrown as Error).message).toBe("The cached body of pm-7.md changed during the build (another build in .cache/?): build again");
  });
});
