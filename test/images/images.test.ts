import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build } from "../../src/build.js";
import { hashText } from "../../src/util/hash.js";
import { listFiles, makePng, repoRoot, sharedDir, tempDir } from "../helpers.js";

const PNG = makePng(4, 3);
const JPEG = Buffer.from(
  "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=",
  "base64",
);
const SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="6" onload="alert(1)"><script>alert(2)</script><rect width="8" height="6" fill="red"/></svg>';

/** Requests the test server saw: path and whether they were conditional. */
const seen: { path: string; conditional: boolean }[] = [];
let server: http.Server;
let base = "";

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push({ path: req.url!, conditional: Boolean(req.headers["if-none-match"] || req.headers["if-modified-since"]) });
    const send = (status: number, type: string, body: Buffer | string, headers: Record<string, string> = {}) =>
      res.writeHead(status, { "content-type": type, ...headers }).end(body);
    switch (req.url) {
      case "/ok.png":
        if (req.headers["if-none-match"] === '"png-v1"') return void res.writeHead(304).end();
        return send(200, "image/png", PNG, { etag: '"png-v1"', "last-modified": "Tue, 01 Oct 2024 10:00:00 GMT" });
      case "/photo.jpg":
        if (req.headers["if-modified-since"]) return void res.writeHead(304).end();
        return send(200, "image/jpeg", JPEG, { "last-modified": "Tue, 01 Oct 2024 10:00:00 GMT" });
      case "/drawing.svg":
        if (req.headers["if-none-match"] === '"svg-v1"') return void res.writeHead(304).end();
        return send(200, "image/svg+xml", SVG, { etag: '"svg-v1"' });
      case "/moved.png":
        return send(302, "text/plain", "", { location: "/ok.png" });
      case "/loop.png":
        return send(302, "text/plain", "", { location: "/loop.png" });
      case "/to-ftp.png":
        return send(302, "text/plain", "", { location: "ftp://127.0.0.1/x.png" });
      case "/slow.png":
        return void setTimeout(() => send(200, "image/png", PNG), 2_000);
      case "/huge.png":
        // No Content-Length: the cap must hold while streaming.
        res.writeHead(200, { "content-type": "image/png" });
        res.write(PNG);
        return void res.end(Buffer.alloc(64 * 1024));
      case "/page.png":
        return send(200, "text/html", "<html><body>Not found, but 200</body></html>");
      case "/fake.png":
        return send(200, "image/png", "<html><body>I am HTML</body></html>");
      default:
        return send(404, "text/plain", "not found");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server.close());

const IMAGES = ["ok.png", "photo.jpg", "drawing.svg", "moved.png", "missing.png", "slow.png", "huge.png", "page.png", "fake.png", "loop.png", "to-ftp.png"];

/** A project whose one postmortem shows each test image on its own line (line 8 + index). */
function project(): string {
  const root = tempDir();
  fs.mkdirSync(path.join(root, "content"));
  const lines = IMAGES.map((name) => `![${name}](${base}/${name})\n`);
  fs.writeFileSync(path.join(root, "content", "pm.md"), `---\ntitle: Images\n---\n\n## Evidence\n\nGraphs:\n\n${lines.join("\n")}`);
  return root;
}
const lineOf = (name: string) => 9 + 2 * IMAGES.indexOf(name);
const options = { sections: [], fields: { required: [] }, images: { timeoutMs: 700, maxBytes: 16 * 1024, concurrency: 3, allowHosts: ["127.0.0.1"] } };

describe("remote images", () => {
  let root = "";
  beforeAll(() => {
    root = project();
  });
  const page = () => fs.readFileSync(path.join(root, "dist/postmortems/pm/index.html"), "utf8");

  it("downloads PNG, JPEG and SVG (sanitized), follows a redirect, stores each image once", async () => {
    const result = await build({ root, ...options });
    expect(result.ok).toBe(true);
    const stored = listFiles(path.join(root, "dist")).filter((f) => f.startsWith("images/"));
    expect(stored).toHaveLength(3);
    expect(stored).toContain(`images/${hashText(PNG).slice(0, 20)}.png`);
    expect(stored).toContain(`images/${hashText(JPEG).slice(0, 20)}.jpg`);
    expect(stored.some((f) => /^images\/[0-9a-f]{20}\.svg$/.test(f))).toBe(true);
    expect(fs.readFileSync(path.join(root, "dist", `images/${hashText(PNG).slice(0, 20)}.png`)).equals(PNG)).toBe(true);
    const svg = fs.readFileSync(
      path.join(
        root,
        "dist",
        stored.find((f) => f.endsWith(".svg"))!,
      ),
      "utf8",
    );
    expect(svg).toContain("<rect");
    expect(svg).not.toMatch(/script|onload|alert/);
    const html = page();
    expect(html).toContain(`<img src="../../images/${hashText(PNG).slice(0, 20)}.png" alt="ok.png" loading="lazy" decoding="async" width="4" height="3">`);
    expect(html).toContain(`<img src="../../images/${hashText(PNG).slice(0, 20)}.png" alt="moved.png" loading="lazy" decoding="async" width="4" height="3">`);
    expect(html).toMatch(/alt="photo.jpg" loading="lazy" decoding="async" width="1" height="1"/);
    // Four URLs downloaded (moved.png too), three distinct images stored.
    expect(result.images).toEqual({ embedded: 0, downloaded: 4, cached: 0, local: 0, failed: 7 });
  });

  it("warns about each image it cannot use, at its line, and keeps the original URL", () => {
    const html = page();
    // What the server answered is not said (that would make builds a port scanner); our own limits are.
    const failed = /: the download failed$/;
    const reasons: Record<string, RegExp> = {
      "missing.png": failed,
      "slow.png": /: not downloaded within 700 ms \(`images.timeoutMs`\)$/,
      "huge.png": /: larger than the 16 KB limit \(`images.maxBytes`\)$/,
      "page.png": failed,
      "fake.png": failed,
      "loop.png": failed,
      "to-ftp.png": failed,
    };
    return build({ root, ...options }).then((result) => {
      const messages = result.files[0]!.messages;
      for (const [name, reason] of Object.entries(reasons)) {
        const message = messages.find((m) => m.reason.includes(`${base}/${name}:`));
        expect(message, name).toBeDefined();
        expect(message!.reason).toMatch(reason);
        expect([message!.ruleId, message!.line, message!.column, message!.fatal]).toEqual(["image/unreachable", lineOf(name), 1, false]);
        expect(html).toContain(`src="${base}/${name}"`);
      }
    });
  });

  it("revalidates on the next build: conditional requests, nothing downloaded", async () => {
    seen.length = 0;
    const result = await build({ root, ...options });
    expect(result.images.downloaded).toBe(0);
    // ok.png, photo.jpg, drawing.svg, and moved.png (which redirects to ok.png).
    expect(result.images.cached).toBe(4);
    const cachedOnes = seen.filter((r) => ["/ok.png", "/photo.jpg", "/drawing.svg", "/moved.png"].includes(r.path));
    expect(cachedOnes.length).toBeGreaterThanOrEqual(4);
    expect(cachedOnes.every((r) => r.conditional)).toBe(true);
  });

  it("with --offline, uses only the cache, even after the server is gone", async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    seen.length = 0;
    const result = await build({ root, ...options, offline: true });
    expect(seen).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.images).toMatchObject({ downloaded: 0, cached: 4 });
    const offlineMisses = result.files[0]!.messages.filter((m) => m.reason.includes("offline, and not in the cache"));
    expect(offlineMisses).toHaveLength(IMAGES.length - 4);
    expect(page()).toContain(`${hashText(JPEG).slice(0, 20)}.jpg`);
  });

  it("ignores a corrupt cache instead of trusting it", async () => {
    const blobs = fs.readdirSync(path.join(root, ".cache/images")).filter((f) => f.endsWith(".png"));
    for (const blob of blobs) fs.writeFileSync(path.join(root, ".cache/images", blob), "garbage");
    const result = await build({ root, ...options, offline: true });
    // The PNG blob is garbage now: ok.png and moved.png are not trusted; photo and drawing are.
    expect(result.images.cached).toBe(2);
    expect(page()).toContain(`src="${base}/ok.png"`);
  });
});

describe("embedded and local images", () => {
  it("stores the seed's embedded PNG byte for byte, and leaves no data: in the starter archive", async () => {
    const seed = fs.readFileSync(path.join(sharedDir, "seed", "000_1c7d0615a4075261.txt"), "utf8");
    const base64 = /data:image\/png;base64,([A-Za-z0-9+/=]+)/.exec(seed)![1]!;
    const bytes = Buffer.from(base64, "base64");
    const root = tempDir();
    fs.mkdirSync(path.join(root, "content"));
    fs.writeFileSync(path.join(root, "content", "seed.md"), seed);
    const result = await build({ root, offline: true, fields: { required: [] } });
    expect(result.ok).toBe(true);
    expect(fs.readFileSync(path.join(root, "dist", `images/${hashText(bytes).slice(0, 20)}.png`)).equals(bytes)).toBe(true);
    for (const file of listFiles(path.join(root, "dist")).filter((f) => f.endsWith(".html"))) {
      expect(fs.readFileSync(path.join(root, "dist", file), "utf8"), file).not.toMatch(/data:[a-z]+\/[\w.+-]+[;,]/i);
    }
  });

  it("leaves no data: in any page of the starter archive (content/)", async () => {
    const out = path.join(tempDir(), "site");
    const result = await build({ root: repoRoot, out, offline: true });
    expect(result.ok).toBe(true);
    expect(result.images.embedded).toBeGreaterThan(0);
    for (const file of listFiles(out).filter((f) => f.endsWith(".html"))) {
      expect(fs.readFileSync(path.join(out, file), "utf8"), file).not.toMatch(/data:[a-z]+\/[\w.+-]+[;,]/i);
    }
  });

  it("copies the Chia archive's /assets/images pictures", async () => {
    const content = path.join(sharedDir, "corpus/real/chia-post-mortem");
    const out = path.join(tempDir(), "site");
    const result = await build({ root: content, content, out, cache: false, offline: true, fields: { required: [] }, sections: [] });
    expect(result.ok).toBe(true);
    expect(result.images.local).toBeGreaterThan(0);
    const referenced = fs.readdirSync(path.join(content, "assets/images")).length;
    expect(listFiles(out).filter((f) => f.startsWith("images/")).length).toBeGreaterThan(0);
    expect(listFiles(out).filter((f) => f.startsWith("images/")).length).toBeLessThanOrEqual(referenced);
    const html = listFiles(out)
      .filter((f) => f.endsWith(".html"))
      .map((f) => fs.readFileSync(path.join(out, f), "utf8"))
      .join("");
    expect(html).not.toContain('src="/assets/images');
  });

  it("handles the PostHog archive's raw HTML images offline: warnings, URLs kept, lazy loading added", async () => {
    const content = path.join(sharedDir, "corpus/real/posthog-post-mortems");
    const out = path.join(tempDir(), "site");
    const result = await build({ root: content, content, out, cache: false, offline: true, fields: { required: [] }, sections: [] });
    expect(result.ok).toBe(true);
    const warnings = result.files.flatMap((f) => f.messages.filter((m) => m.ruleId === "image/unreachable"));
    expect(warnings.length).toBeGreaterThan(0);
    const html = listFiles(out)
      .filter((f) => f.endsWith(".html"))
      .map((f) => fs.readFileSync(path.join(out, f), "utf8"))
      .join("");
    expect(html).toMatch(/<img src="https:\/\/[^"]+"[^>]* loading="lazy" decoding="async"/);
  });
});

describe("images.roots", () => {
  /** A docs site: postmortems in `docs/incidents/`, pictures in `docs/_static/images/`. */
  const docsSite = () => {
    const root = tempDir();
    fs.mkdirSync(path.join(root, "docs", "incidents"), { recursive: true });
    fs.mkdirSync(path.join(root, "docs", "_static", "images"), { recursive: true });
    fs.writeFileSync(path.join(root, "docs", "_static", "images", "graph.png"), PNG);
    fs.writeFileSync(path.join(root, "docs", "incidents", "outage.md"), "---\ntitle: Outage\n---\n\n![graph](../_static/images/graph.png)\n");
    return root;
  };
  const options = (root: string, roots?: string[]) => ({
    root,
    content: "docs/incidents",
    offline: true,
    cache: false,
    fields: { required: [] },
    sections: [],
    ...(roots ? { images: { roots } } : {}),
  });
  const ruleIds = (files: readonly { messages: readonly { ruleId?: string | undefined }[] }[]) => files.flatMap((f) => f.messages.map((m) => m.ruleId));

  it("allows an image outside the content folder under a configured root (a docs site's ../_static/images/)", async () => {
    const root = docsSite();
    const result = await build(options(root, ["docs/_static"]));
    expect(ruleIds(result.files)).toEqual([]);
    expect(result.ok).toBe(true);
    expect(listFiles(path.join(root, "dist")).filter((f) => f.startsWith("images/"))).toEqual([`images/${hashText(PNG).slice(0, 20)}.png`]);
  });

  it("still refuses it without the root, and under a root outside the project", async () => {
    const root = docsSite();
    expect(ruleIds((await build(options(root))).files)).toEqual(["image/outside"]);
    const elsewhere = tempDir();
    fs.writeFileSync(path.join(elsewhere, "secret.png"), PNG);
    fs.writeFileSync(
      path.join(root, "docs", "incidents", "outage.md"),
      `---\ntitle: Outage\n---\n\n![secret](${path.relative(path.join(root, "docs", "incidents"), path.join(elsewhere, "secret.png"))})\n`,
    );
    expect(ruleIds((await build(options(root, [elsewhere]))).files)).toEqual(["image/outside"]);
  });

  it("refuses a symlink under a root that leads outside the project", async () => {
    const root = docsSite();
    const elsewhere = tempDir();
    fs.writeFileSync(path.join(elsewhere, "secret.png"), PNG);
    fs.symlinkSync(path.join(elsewhere, "secret.png"), path.join(root, "docs", "_static", "images", "linked.png"));
    fs.symlinkSync(elsewhere, path.join(root, "docs", "_static", "outside"));
    fs.writeFileSync(
      path.join(root, "docs", "incidents", "outage.md"),
      "---\ntitle: Outage\n---\n\n![a](../_static/images/linked.png)\n\n![b](../_static/outside/secret.png)\n",
    );
    expect(ruleIds((await build(options(root, ["docs/_static"]))).files)).toEqual(["image/outside", "image/outside"]);
    // A root that is itself a link out of the project gives nothing either.
    fs.writeFileSync(path.join(root, "docs", "incidents", "outage.md"), "---\ntitle: Outage\n---\n\n![b](../_static/outside/secret.png)\n");
    expect(ruleIds((await build(options(root, ["docs/_static/outside"]))).files)).toEqual(["image/outside"]);
  });
});
