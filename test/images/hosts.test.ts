// Issue 13, findings 1 and 4: which hosts images are downloaded from (server-side request
// forgery), what a failure says, and the per-build download budgets, on a loopback server.
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build } from "../../src/build.js";
import { makePng, tempDir } from "../helpers.js";

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
    expect(reasons).toEqual([
      "Cannot download image URL: the download failed",
      "Cannot download image URL: the download failed",
      "Cannot download image URL: the download failed",
    ]);
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
    const result = await build({
      root: archive(urls),
      ...quiet,
      images: { allowHosts: ["127.0.0.1"], concurrency: 1, timeoutMs: 3_000 },
      limits: { downloadMs: 300 },
    });
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(hits).toEqual(["/hang/1.png"]);
    expect(unreachable(result).map((m) => m.reason)).toEqual(
      urls.map((url) => `Cannot download image ${url}: the build's download time (300 ms, \`limits.downloadMs\`) is used up`),
    );
  });
});
