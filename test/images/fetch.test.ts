import dns from "node:dns";
import http from "node:http";
import net, { type AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { fetchImage, type FetchOptions, type Resolver } from "../../src/images/fetch.js";
import { makePng } from "../helpers.js";

const PNG = makePng(4, 3);

/**
 * Every address a socket of this file was handed. A socket bound elsewhere than loopback is
 * destroyed before it connects: these tests must never reach another address, even when the
 * code under test is wrong.
 */
const handed: string[] = [];
const loopback = (address: string) => /^(127\.|::1$|::ffff:127\.)/.test(address);
// Unbound on purpose: the mock calls it with the socket as `this`.
// eslint-disable-next-line @typescript-eslint/unbound-method
const realConnect = net.Socket.prototype.connect;
beforeAll(() => {
  vi.spyOn(net.Socket.prototype, "connect").mockImplementation(function (this: net.Socket, ...args: unknown[]) {
    const first = args[0];
    // connect(options), connect([options, callback]), connect(port, host) or connect(path): options with no path name a host.
    const given: unknown = Array.isArray(first) ? first[0] : first;
    if (typeof given === "object" && given !== null && !("path" in given && given.path)) {
      const options = given as net.TcpNetConnectOpts;
      const host = options.host ?? "localhost";
      if (net.isIP(host)) {
        handed.push(host);
        if (!loopback(host)) {
          process.nextTick(() => this.destroy(new Error("blocked by the test: not a loopback address")));
          return this;
        }
      } else {
        const lookup = options.lookup ?? dns.lookup;
        options.lookup = (hostname, lookupOptions, callback) =>
          lookup(hostname, lookupOptions, (error, address, family) => {
            // A failed lookup gives no address at all, whatever its types say.
            const list = error ? [] : typeof address === "string" ? [address] : address.map((a) => a.address);
            handed.push(...list.filter(Boolean));
            if (list.some((a) => !loopback(a))) callback(new Error("blocked by the test: not a loopback address"), "", 0);
            else callback(error, address, family);
          });
      }
    }
    return realConnect.apply(this, args as Parameters<typeof realConnect>);
  });
});
afterAll(() => vi.restoreAllMocks());

/** Requests the server saw. */
const seen: string[] = [];
let server: http.Server;
let port = 0;
let base = "";
beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push(req.url!);
    switch (req.url) {
      case "/ok.png":
        if (req.headers["if-none-match"] === '"v1"') return void res.writeHead(304).end();
        return void res.writeHead(200, { "content-type": "image/png", etag: '"v1"' }).end(PNG);
      case "/to-localhost.png":
        return void res.writeHead(302, { location: `http://localhost:${port}/ok.png` }).end();
      case "/to-images-test.png":
        return void res.writeHead(302, { location: `http://images.test:${port}/ok.png` }).end();
      case "/streamed.png":
        // No Content-Length: the budget must hold while streaming.
        res.writeHead(200, { "content-type": "image/png" });
        res.write(PNG);
        return void res.end(Buffer.alloc(4000));
      case "/missing.png":
        return void res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      case "/page.png":
        return void res.writeHead(200, { "content-type": "text/html" }).end("<html></html>");
      default:
        return void res.writeHead(500).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  seen.length = 0;
  handed.length = 0;
});

const limits: FetchOptions = { timeoutMs: 2_000, maxBytes: 64 * 1024 };

/** A resolver answering from a table, counting its calls; a name it does not know does not exist. */
function fakeResolver(table: Record<string, readonly (readonly string[])[]>): Resolver & { calls: string[] } {
  const calls: string[] = [];
  const resolve = (hostname: string) => {
    calls.push(hostname);
    const answers = table[hostname];
    if (!answers) return Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" }));
    const answer = answers[Math.min(calls.filter((h) => h === hostname).length - 1, answers.length - 1)]!;
    return Promise.resolve(answer.map((address) => ({ address, family: net.isIP(address.split("%")[0]!) })));
  };
  return Object.assign(resolve, { calls });
}

describe("fetchImage refuses internal addresses before connecting", () => {
  const refusedLiterals = [
    "127.0.0.1",
    "127.255.255.254",
    "0.0.0.0",
    "10.1.2.3",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "100.64.0.1",
    "169.254.169.254",
    "224.0.0.1",
    "255.255.255.255",
    "[::1]",
    "[::]",
    "[fe80::1]",
    "[fc00::1]",
    "[fd12:3456::1]",
    "[ff02::1]",
    "[::ffff:127.0.0.1]",
    "[::ffff:7f00:1]",
    "[::ffff:169.254.169.254]",
    "[::ffff:10.0.0.1]",
    "[::127.0.0.1]",
    "[64:ff9b::7f00:1]",
    "[64:ff9b::a9fe:a9fe]",
    "[2002:7f00:1::1]",
    "[2002:a9fe:a9fe::]",
    // Written as a number, in octal, in hex or shortened: WHATWG URL parsing makes them dotted.
    "2130706433",
    "0x7f.1",
    "0177.0.0.1",
    "127.1",
    "0",
    "2852039166",
  ];
  for (const host of refusedLiterals) {
    it(`refuses http://${host}/ without opening a socket`, async () => {
      const started = Date.now();
      const result = await fetchImage(`http://${host}:${port}/ok.png`, limits);
      expect(result).toMatchObject({ ok: false, error: { failure: "refused" } });
      expect(handed).toEqual([]);
      expect(seen).toEqual([]);
      expect(Date.now() - started).toBeLessThan(500);
    });
  }

  it("lets public literal addresses through to the socket (here blocked by the test itself)", async () => {
    for (const host of ["8.8.8.8", "172.32.0.1", "100.128.0.1", "11.0.0.1", "[2606:4700::1111]", "[::ffff:8.8.8.8]", "[64:ff9b::808:808]"]) {
      const result = await fetchImage(`http://${host}:${port}/ok.png`, limits);
      expect(result, host).toMatchObject({ ok: false, error: { failure: "failed" } });
    }
    expect(handed).toEqual(["8.8.8.8", "172.32.0.1", "100.128.0.1", "11.0.0.1", "2606:4700::1111", "::ffff:808:808", "64:ff9b::808:808"]);
  });

  it("refuses a name that resolves to loopback (localhost), without connecting", async () => {
    const result = await fetchImage(`http://localhost:${port}/ok.png`, limits);
    expect(result).toMatchObject({ ok: false, error: { failure: "refused" } });
    expect(handed).toEqual([]);
    expect(seen).toEqual([]);
  });

  it("refuses a name when any of its addresses is internal, whichever comes first", async () => {
    for (const answer of [
      ["198.51.100.7", "127.0.0.1"],
      ["10.0.0.5", "198.51.100.7"],
      ["2001:db8::1", "fe80::1%eth0"],
      ["198.51.100.7", "::ffff:169.254.169.254"],
    ]) {
      const resolve = fakeResolver({ "images.test": [answer] });
      const result = await fetchImage(`http://images.test:${port}/ok.png`, { ...limits, resolve });
      expect(result, answer.join(" ")).toMatchObject({ ok: false, error: { failure: "refused" } });
      expect(resolve.calls).toEqual(["images.test"]);
    }
    expect(handed).toEqual([]);
    expect(seen).toEqual([]);
  });

  it("connects to the address it checked: a name that rebinds to loopback after the check does not reach it", async () => {
    // A public answer first, then loopback: code that resolved again to connect would reach the server.
    const resolve = fakeResolver({ "rebind.test": [["198.51.100.7"], ["127.0.0.1"]] });
    const result = await fetchImage(`http://rebind.test:${port}/ok.png`, { ...limits, resolve });
    expect(resolve.calls).toEqual(["rebind.test"]);
    expect(handed).toEqual(["198.51.100.7"]);
    expect(seen).toEqual([]);
    expect(result).toMatchObject({ ok: false, error: { failure: "failed" } });
  });

  it("refuses 169.254.169.254 reached by a redirect from an allowed host", async () => {
    const resolve = fakeResolver({ "images.test": [["169.254.169.254"]] });
    const result = await fetchImage(`${base}/to-images-test.png`, { ...limits, allowHosts: ["127.0.0.1"], resolve });
    expect(result).toMatchObject({ ok: false, error: { failure: "refused" } });
    expect(seen).toEqual(["/to-images-test.png"]);
    expect(handed).toEqual(["127.0.0.1"]);
  });
});

describe("fetchImage with images.allowHosts", () => {
  it("downloads from an allowed address, and revalidates with the validators it got", async () => {
    const first = await fetchImage(`${base}/ok.png`, { ...limits, allowHosts: ["127.0.0.1"] });
    expect(first).toMatchObject({ ok: true, value: { contentType: "image/png", validators: { etag: '"v1"' } } });
    expect(first.ok && first.value !== "not-modified" && Buffer.from(first.value.bytes).equals(PNG)).toBe(true);
    const again = await fetchImage(`${base}/ok.png`, { ...limits, allowHosts: ["127.0.0.1"] }, { etag: '"v1"' });
    expect(again).toEqual({ ok: true, value: "not-modified" });
  });

  it("matches host names case-insensitively, and connects to the address its own lookup gave", async () => {
    const resolve = fakeResolver({ "images.test": [["127.0.0.1"]] });
    const result = await fetchImage(`http://IMAGES.test:${port}/ok.png`, { ...limits, allowHosts: ["Images.Test"], resolve });
    expect(result).toMatchObject({ ok: true });
    expect(resolve.calls).toEqual(["images.test"]);
    expect(handed).toEqual(["127.0.0.1"]);
  });

  it("allows a host by the name written, not by its address: a redirect to localhost is refused when only 127.0.0.1 is allowed", async () => {
    const result = await fetchImage(`${base}/to-localhost.png`, { ...limits, allowHosts: ["127.0.0.1"] });
    expect(result).toMatchObject({ ok: false, error: { failure: "refused" } });
    expect(seen).toEqual(["/to-localhost.png"]);
  });

  it("says only that the download failed for a 404, a text/html answer and a closed port", async () => {
    const closed = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, "127.0.0.1", () => {
        const free = (probe.address() as AddressInfo).port;
        probe.close(() => resolve(free));
      });
    });
    const options = { ...limits, allowHosts: ["127.0.0.1"] };
    const results = [
      await fetchImage(`${base}/missing.png`, options),
      await fetchImage(`${base}/page.png`, options),
      await fetchImage(`http://127.0.0.1:${closed}/x.png`, options),
    ];
    for (const result of results) expect(result).toMatchObject({ ok: false, error: { failure: "failed" } });
  });
});

describe("fetchImage and the build's download bytes", () => {
  /** A byte budget like the build's, with `left` bytes. */
  const budget = (left: number) => {
    const state = { used: 0 };
    return Object.assign(state, {
      take: (n: number) => (state.used + n > left ? false : ((state.used += n), true)),
      giveBack: (n: number) => void (state.used -= n),
    });
  };

  it("spends the bytes it keeps", async () => {
    const bytes = budget(10_000);
    const result = await fetchImage(`${base}/ok.png`, { ...limits, allowHosts: ["127.0.0.1"], bytes });
    expect(result.ok).toBe(true);
    expect(bytes.used).toBe(PNG.byteLength);
  });

  it("stops a download that would go over it (Content-Length known), spending nothing", async () => {
    const bytes = budget(PNG.byteLength - 1);
    const result = await fetchImage(`${base}/ok.png`, { ...limits, allowHosts: ["127.0.0.1"], bytes });
    expect(result).toMatchObject({ ok: false, error: { failure: "over-budget" } });
    expect(bytes.used).toBe(0);
  });

  it("stops a streamed download when it goes over it, and gives back what it had taken", async () => {
    const bytes = budget(2_000);
    const result = await fetchImage(`${base}/streamed.png`, { ...limits, allowHosts: ["127.0.0.1"], bytes });
    expect(result).toMatchObject({ ok: false, error: { failure: "over-budget" } });
    expect(bytes.used).toBe(0);
  });
});
