import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build } from "../src/build.js";
import { hashText } from "../src/util/hash.js";
import { listFiles, makePng, repoRoot, sharedDir, tempDir } from "./helpers.js";

const PNG = makePng(4, 3);
const JPEG = Buffer.from("/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=", "base64");
const SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="6" onload="alert(1)"><script>alert(2)</script><rect width="8" height="6" fill="red"/></svg>';

/** Requests the test server saw: path and whether they were conditional. */
const seen: { path: string; conditional: boolean }[] = [];
let server: http.Server;
let base = "";

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push({ path: req.url!, conditional: Boolean(req.headers["if-none-match"] || req.headers["if-modified-since"]) });
    const send = (status: number, type: string, body: Buffer | string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": type, ...headers });
      res.end(body);
    };
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
afterAll(() => server?.close());

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
    const svg = fs.readFileSync(path.join(root, "dist", stored.find((f) => f.endsWith(".svg"))!), "utf8");
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

describe("remote images: which hosts, and how much per build", () => {
  /** Requests this server saw. */
  const hits: string[] = [];
  let policyServer: http.Server;
  let port = 0;
  // About 5 KB each, each different.
  const big = (n: number) => makePng(4, 3, n, "x".repeat(5_000));
  beforeAll(async () => {
    policyServer = http.createServer((req, res) => {
      hits.push(req.url!);
      const n = /^\/big\/(\d+)\.png$/.exec(req.url!)?.[1];
      if (n) return void res.writeHead(200, { "content-type": "image/png" }).end(big(Number(n)));
      if (req.url!.startsWith("/hang/")) return; // never answers
      if (req.url === "/to-localhost.png") return void res.writeHead(302, { location: `http://localhost:${port}/big/1.png` }).end();
      if (req.url === "/page.png") return void res.writeHead(200, { "content-type": "text/html" }).end("<html></html>");
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    });
    await new Promise<void>((resolve) => policyServer.listen(0, "127.0.0.1", resolve));
    port = (policyServer.address() as AddressInfo).port;
  });
  afterAll(() => {
    policyServer.closeAllConnections();
    policyServer.close();
  });

  /** A project whose one postmortem shows these images, one per paragraph (raw HTML: Markdown would percent-encode `[` and `]`). */
  const archive = (urls: readonly string[]) => {
    const root = tempDir();
    fs.mkdirSync(path.join(root, "content"));
    fs.writeFileSync(path.join(root, "content", "pm.md"), `---\ntitle: Images\n---\n\n${urls.map((url, i) => `<img src="${url}" alt="${i}">`).join("\n\n")}\n`);
    return root;
  };
  const quiet = { sections: [], fields: { required: [] } };
  const unreachable = (result: Awaited<ReturnType<typeof build>>) =>
    result.files
      .flatMap((f) => f.messages)
      .filter((m) => m.ruleId === "image/unreachable")
      .sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  const storedImages = (root: string) => (fs.existsSync(path.join(root, "dist/images")) ? fs.readdirSync(path.join(root, "dist/images")) : []);
  const refused = (url: string) => `Cannot download image ${url}: refused: its host is not allowed (loopback, private or link-local address)`;

  it("refuses loopback however it is written, before any request, and keeps nothing", async () => {
    const urls = [
      `http://127.0.0.1:${port}/big/1.png`,
      `http://localhost:${port}/big/2.png`,
      `http://[::ffff:127.0.0.1]:${port}/big/3.png`,
      `http://2130706433:${port}/big/4.png`,
      `http://0x7f.1:${port}/big/5.png`,
    ];
    const root = archive(urls);
    hits.length = 0;
    const result = await build({ root, ...quiet });
    expect(result.ok).toBe(true);
    expect(hits).toEqual([]);
    expect(unreachable(result).map((m) => [m.reason, m.fatal])).toEqual(urls.map((url) => [refused(url), false]));
    expect(result.images).toMatchObject({ downloaded: 0, cached: 0, failed: 5 });
    expect(storedImages(root)).toEqual([]);
    expect(fs.existsSync(path.join(root, ".cache/images/remote.json"))).toBe(false);
    const html = fs.readFileSync(path.join(root, "dist/postmortems/pm/index.html"), "utf8");
    expect(html).toContain(`src="http://127.0.0.1:${port}/big/1.png"`);

    // Allowed by the host in the URL once parsed: 2130706433 and 0x7f.1 are 127.0.0.1; localhost is another name.
    hits.length = 0;
    const allowed = await build({ root, ...quiet, images: { allowHosts: ["127.0.0.1"] } });
    expect(hits.sort()).toEqual(["/big/1.png", "/big/4.png", "/big/5.png"]);
    expect(allowed.images).toMatchObject({ downloaded: 3, failed: 2 });
    expect(unreachable(allowed).map((m) => m.reason)).toEqual([refused(urls[1]!), refused(urls[2]!)]);
  });

  it("refuses a redirect from an allowed host to one not allowed, even at the same address", async () => {
    const url = `http://127.0.0.1:${port}/to-localhost.png`;
    const root = archive([url]);
    hits.length = 0;
    const result = await build({ root, ...quiet, images: { allowHosts: ["127.0.0.1"] } });
    expect(hits).toEqual(["/to-localhost.png"]);
    expect(unreachable(result).map((m) => m.reason)).toEqual([refused(url)]);
    expect(storedImages(root)).toEqual([]);
  });

  it("does not use a cached copy of an image whose host is no longer allowed", async () => {
    const url = `http://127.0.0.1:${port}/big/7.png`;
    const root = archive([url]);
    expect((await build({ root, ...quiet, images: { allowHosts: ["127.0.0.1"] } })).images).toMatchObject({ downloaded: 1 });
    const result = await build({ root, ...quiet });
    expect(result.images).toMatchObject({ downloaded: 0, cached: 0, failed: 1 });
    expect(unreachable(result).map((m) => m.reason)).toEqual([refused(url)]);
    expect(storedImages(root)).toEqual([]);
    const offline = await build({ root, ...quiet, offline: true });
    expect(offline.images).toMatchObject({ cached: 0, failed: 1 });
  });

  it("words a 404, a text/html answer and a closed port alike: no status, content type or errno in the build log", async () => {
    const closed = await new Promise<number>((resolve) => {
      const probe = http.createServer().listen(0, "127.0.0.1", () => {
        const free = (probe.address() as AddressInfo).port;
        probe.close(() => resolve(free));
      });
    });
    const urls = [`http://127.0.0.1:${port}/missing.png`, `http://127.0.0.1:${port}/page.png`, `http://127.0.0.1:${closed}/x.png`];
    const result = await build({ root: archive(urls), ...quiet, images: { allowHosts: ["127.0.0.1"] } });
    const reasons = unreachable(result).map((m, i) => m.reason.replace(urls[i]!, "URL"));
    expect(reasons).toEqual(["Cannot download image URL: the download failed", "Cannot download image URL: the download failed", "Cannot download image URL: the download failed"]);
    const notes = new Set(unreachable(result).map((m) => m.note));
    expect(notes.size).toBe(1);
  });

  it("stops downloading once the build's bytes are spent (limits.downloadBytes)", async () => {
    const size = big(1).byteLength;
    const urls = [1, 2, 3, 4].map((n) => `http://127.0.0.1:${port}/big/${n}.png`);
    const root = archive(urls);
    const result = await build({ root, ...quiet, images: { allowHosts: ["127.0.0.1"], concurrency: 1 }, limits: { downloadBytes: Math.floor(size * 2.5) } });
    expect(result.images).toMatchObject({ downloaded: 2, failed: 2 });
    expect(storedImages(root)).toHaveLength(2);
    for (const m of unreachable(result)) expect(m.reason).toMatch(/: the build's download budget \(\d+ KB, `limits.downloadBytes`\) is used up$/);
  });

  it("stops downloading once the build's download time is spent (limits.downloadMs): later images are not attempted", { timeout: 20_000 }, async () => {
    const urls = [1, 2, 3, 4].map((n) => `http://127.0.0.1:${port}/hang/${n}.png`);
    hits.length = 0;
    const started = Date.now();
    const result = await build({ root: archive(urls), ...quiet, images: { allowHosts: ["127.0.0.1"], concurrency: 1, timeoutMs: 3_000 }, limits: { downloadMs: 300 } });
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(hits).toEqual(["/hang/1.png"]);
    expect(unreachable(result).map((m) => m.reason)).toEqual(urls.map((url) => `Cannot download image ${url}: the build's download time (300 ms, \`limits.downloadMs\`) is used up`));
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
    const result = await build({ root: content, content, out, offline: true, fields: { required: [] }, sections: [] });
    expect(result.ok).toBe(true);
    expect(result.images.local).toBeGreaterThan(0);
    const referenced = fs.readdirSync(path.join(content, "assets/images")).length;
    expect(listFiles(out).filter((f) => f.startsWith("images/")).length).toBeGreaterThan(0);
    expect(listFiles(out).filter((f) => f.startsWith("images/")).length).toBeLessThanOrEqual(referenced);
    const html = listFiles(out).filter((f) => f.endsWith(".html")).map((f) => fs.readFileSync(path.join(out, f), "utf8")).join("");
    expect(html).not.toContain('src="/assets/images');
  });

  it("handles the PostHog archive's raw HTML images offline: warnings, URLs kept, lazy loading added", async () => {
    const content = path.join(sharedDir, "corpus/real/posthog-post-mortems");
    const out = path.join(tempDir(), "site");
    const result = await build({ root: content, content, out, offline: true, fields: { required: [] }, sections: [] });
    expect(result.ok).toBe(true);
    const warnings = result.files.flatMap((f) => f.messages.filter((m) => m.ruleId === "image/unreachable"));
    expect(warnings.length).toBeGreaterThan(0);
    const html = listFiles(out).filter((f) => f.endsWith(".html")).map((f) => fs.readFileSync(path.join(out, f), "utf8")).join("");
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
  const options = (root: string, roots?: string[]) => ({ root, content: "docs/incidents", offline: true, cache: false, fields: { required: [] }, sections: [], ...(roots ? { images: { roots } } : {}) });
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
    fs.writeFileSync(path.join(root, "docs", "incidents", "outage.md"), `---\ntitle: Outage\n---\n\n![secret](${path.relative(path.join(root, "docs", "incidents"), path.join(elsewhere, "secret.png"))})\n`);
    expect(ruleIds((await build(options(root, [elsewhere]))).files)).toEqual(["image/outside"]);
  });

  it("refuses a symlink under a root that leads outside the project", async () => {
    const root = docsSite();
    const elsewhere = tempDir();
    fs.writeFileSync(path.join(elsewhere, "secret.png"), PNG);
    fs.symlinkSync(path.join(elsewhere, "secret.png"), path.join(root, "docs", "_static", "images", "linked.png"));
    fs.symlinkSync(elsewhere, path.join(root, "docs", "_static", "outside"));
    fs.writeFileSync(path.join(root, "docs", "incidents", "outage.md"), "---\ntitle: Outage\n---\n\n![a](../_static/images/linked.png)\n\n![b](../_static/outside/secret.png)\n");
    expect(ruleIds((await build(options(root, ["docs/_static"]))).files)).toEqual(["image/outside", "image/outside"]);
    // A root that is itself a link out of the project gives nothing either.
    fs.writeFileSync(path.join(root, "docs", "incidents", "outage.md"), "---\ntitle: Outage\n---\n\n![b](../_static/outside/secret.png)\n");
    expect(ruleIds((await build(options(root, ["docs/_static/outside"]))).files)).toEqual(["image/outside"]);
  });
});
