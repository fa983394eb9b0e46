import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RemoteImageCache } from "../../src/cache/images.js";
import { contentKey } from "../../src/cache/keys.js";
import { BUILD_MARKER, writeOutput } from "../../src/write/index.js";
import { listFiles, makePng, repoRoot, runCliAsync, runCliChildAsync, snapshot, tempDir } from "../helpers.js";

describe("builds writing the same output folder at once", () => {
  // Regression: two swaps at the same moment made one build fail with ENOTEMPTY and leave its
  // `.previous` folder behind (A moved dist aside, B swapped in, A's rename then failed).
  it("in one process: every write succeeds, the output is one whole build, nothing is left beside it", async () => {
    for (let round = 0; round < 15; round++) {
      const root = tempDir();
      const outDir = path.join(root, "dist");
      await writeOutput({ outDir, protectedDirs: [] }, [{ path: "index.html", contents: "previous" }]);
      const builds = Array.from({ length: 6 }, (_, b) =>
        Array.from({ length: 20 }, (_, f) => ({ path: `pages/${b}/${f}.html`, contents: `build ${b} file ${f}` })),
      );
      const results = await Promise.allSettled(builds.map((files) => writeOutput({ outDir, protectedDirs: [] }, files)));
      expect(results.filter((r) => r.status === "rejected")).toEqual([]);
      const files = listFiles(outDir);
      const winner = builds.findIndex((b) => files.includes(b[0]!.path));
      expect(files).toEqual([BUILD_MARKER, ...builds[winner]!.map((f) => f.path)].sort());
      for (const file of builds[winner]!) expect(fs.readFileSync(path.join(outDir, file.path), "utf8")).toBe(file.contents);
      expect(fs.readdirSync(root)).toEqual(["dist"]);
    }
  });

  it("from the command line: every build exits 0 and the output is byte for byte one build's", async () => {
    // Two archives of the starter's postmortems in one project, built into the same dist/, so
    // that a mix of two builds would show.
    const project = tempDir();
    for (const year of ["2023", "2024"]) fs.cpSync(path.join(repoRoot, "content", year), path.join(project, year), { recursive: true });
    const builds = [
      ["build", "--offline", "--content", "2023"],
      ["build", "--offline", "--content", "2024"],
    ];
    const refs = await Promise.all(builds.map((args, i) => runCliAsync([...args, "--out", `ref-${i}`], project)));
    expect(refs.map((run) => run.code)).toEqual([0, 0]);
    const references = [snapshot(path.join(project, "ref-0")), snapshot(path.join(project, "ref-1"))];
    expect(references[0]).not.toEqual(references[1]);

    for (let round = 0; round < 2; round++) {
      // Child processes: what is tested is builds of several processes at once, each with its own locks' memory.
      const runs = await Promise.all([...builds, ...builds].map((args) => runCliChildAsync(args, project)));
      for (const run of runs) {
        expect(run.stderr).not.toMatch(/internal error|\n\s+at /);
        expect(run.code, run.stderr).toBe(0);
      }
      expect(references).toContainEqual(snapshot(path.join(project, "dist")));
      // No staging or moved-aside folder left; .cache/ is the cache the builds share.
      expect(fs.readdirSync(project).sort()).toEqual([".cache", "2023", "2024", "dist", "ref-0", "ref-1"]);
    }
    // Whatever the builds at once left in .cache/, a build alone still gives the same bytes.
    for (const [i, args] of builds.entries()) {
      expect((await runCliAsync(args, project)).code).toBe(0);
      expect(snapshot(path.join(project, "dist"))).toEqual(references[i]);
    }
  });
});

/** A 1×1 PNG whose pixel is `shade`, so that each URL serves different bytes. */
const png = (shade: number) => makePng(1, 1, shade);

describe("the image cache shared by builds at once", () => {
  it("keeps what another build saved since it was read", () => {
    const cacheDir = tempDir();
    const a = new RemoteImageCache(cacheDir);
    const b = new RemoteImageCache(cacheDir);
    a.set("https://a.example/1.png", png(1), "png", {});
    b.set("https://b.example/2.png", png(2), "png", {});
    a.save();
    b.save();
    const after = new RemoteImageCache(cacheDir);
    expect(after.get("https://a.example/1.png")?.bytes).toEqual(png(1));
    expect(after.get("https://b.example/2.png")?.bytes).toEqual(png(2));
  });

  let server: http.Server;
  let base = "";
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const shade = Number(/^\/(\d+)\.png$/.exec(req.url ?? "")?.[1]);
      if (!Number.isInteger(shade)) return void res.writeHead(404).end();
      res.writeHead(200, { "content-type": "image/png", etag: `"v${shade}"` }).end(png(shade));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("from the command line: downloading builds at once leave a valid index, intact blobs and no temporary files", async () => {
    const project = tempDir();
    const postmortem = (shades: number[]) =>
      `---\ntitle: Images\ndate: 2024-05-01\nseverity: SEV3\nservices: [api]\n---\n\n${shades.map((s) => `![shade ${s}](${base}/${s}.png)`).join("\n\n")}\n`;
    // Two archives in one project (so one .cache/), each built twice at once, downloading its own images and a shared one.
    const archives = [0, 1].map((n) => {
      fs.mkdirSync(path.join(project, `content-${n}`));
      fs.writeFileSync(path.join(project, `content-${n}`, "images.md"), postmortem([100, n * 3 + 1, n * 3 + 2, n * 3 + 3]));
      return ["build", "--content", `content-${n}`, "--out", `out-${n}`];
    });
    fs.writeFileSync(path.join(project, "hindsight.config.json"), JSON.stringify({ sections: [], images: { allowHosts: ["127.0.0.1"] } }));
    // Child processes, as above: several processes sharing one cache.
    const runs = await Promise.all([...archives, ...archives].map((args) => runCliChildAsync(args, project)));
    for (const run of runs) expect(run.code, run.stderr).toBe(0);

    const cache = path.join(project, ".cache", "images");
    const index = JSON.parse(fs.readFileSync(path.join(cache, "remote.json"), "utf8")) as {
      version: number;
      entries: Record<string, { hash: string; ext: string }>;
    };
    expect(index.version).toBe(2);
    expect(Object.keys(index.entries).length).toBeGreaterThan(0);
    for (const [url, entry] of Object.entries(index.entries)) {
      const shade = Number(/\/(\d+)\.png$/.exec(url)?.[1]);
      expect(contentKey(fs.readFileSync(path.join(cache, `${entry.hash}.png`)))).toBe(contentKey(png(shade)));
      expect(entry.hash).toBe(contentKey(png(shade)));
    }
    expect(Object.keys(snapshot(path.join(project, ".cache"))).filter((name) => name.endsWith(".tmp"))).toEqual([]);
    // Every blob written is whole, whether or not the index kept its entry.
    for (const name of fs.readdirSync(cache).filter((n) => n.endsWith(".png"))) {
      expect(contentKey(fs.readFileSync(path.join(cache, name)))).toBe(name.slice(0, 64));
    }
  });
});
