import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { resolveConfig, type UserConfig } from "../../src/config.js";
import { UsageError } from "../../src/errors.js";
import { discover as discoverIn } from "../../src/stages/discover.js";
import { fixtureArchive, tempDir } from "../helpers.js";

/** The postmortems of `dir` as the content folder of a project at `root` (itself by default). */
const discover = (dir: string, user: UserConfig = {}, root = dir) => discoverIn(resolveConfig({ content: path.relative(root, dir) || ".", ...user }, root));

describe("discover", () => {
  it("finds .md and .markdown files at any depth, sorted, and nothing else", async () => {
    const sources = await discover(path.join(fixtureArchive, "content"));
    expect(sources.map((s) => s.relPath)).toEqual([
      "2023/2023-03-04-cdn-cert.md",
      "2023/Search Index Rebuild.md",
      "2024/draft-billing.md",
      "2024/payments-latency.markdown",
      "2024/q1/login-outage.md",
    ]);
    expect(sources[0]!.text).toContain("CDN certificate expired");
    expect(path.isAbsolute(sources[0]!.path)).toBe(true);
  });

  it("strips a byte-order mark and matches extensions in any case", async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "UPPER.MD"), "\ufeff# Title\n");
    const [source] = await discover(dir);
    expect(source?.relPath).toBe("UPPER.MD");
    expect(source?.text).toBe("# Title\n");
  });

  it("does not follow a symlink out of the content folder", async () => {
    const outside = tempDir();
    fs.writeFileSync(path.join(outside, "secret.md"), "# Secret\n");
    const dir = tempDir();
    fs.symlinkSync(outside, path.join(dir, "linked"));
    fs.symlinkSync(path.join(outside, "secret.md"), path.join(dir, "also-secret.md"));
    expect(await discover(dir)).toEqual([]);
  });

  it("says which folder is missing", async () => {
    await expect(discover("/nonexistent/content")).rejects.toThrow(UsageError);
    await expect(discover("/nonexistent/content")).rejects.toThrow(/Content folder not found: \/nonexistent\/content/);
  });
});

describe("discover: include, exclude and postmortems at the root", () => {
  const tree = (files: string[]) => {
    const dir = tempDir();
    for (const file of files) {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), "# Title\n");
    }
    return dir;
  };
  const relPaths = async (dir: string, user: UserConfig = {}) => (await discover(dir, user)).map((s) => s.relPath);

  it("reads the files include matches and exclude does not, relative to the content folder", async () => {
    const dir = tree([
      "README.md",
      "index.md",
      "postmortems/2021-db.md",
      "postmortems/_template.md",
      "postmortems/notes.txt",
      "postmortems/old/2019-dns.markdown",
      "other/x.md",
    ]);
    expect(await relPaths(dir, { include: ["postmortems/**/*.md", "postmortems/**/*.markdown"], exclude: ["**/_template.md", "postmortems/old/**"] })).toEqual([
      "postmortems/2021-db.md",
    ]);
    // A folder's name leaves out all of it.
    expect(await relPaths(dir, { exclude: ["README.md", "index.md", "other"] })).toEqual([
      "postmortems/2021-db.md",
      "postmortems/_template.md",
      "postmortems/old/2019-dns.markdown",
    ]);
    expect(await relPaths(dir, { exclude: ["README.md", "index.md", "other/**", "**/_*"] })).toEqual([
      "postmortems/2021-db.md",
      "postmortems/old/2019-dns.markdown",
    ]);
  });

  it('with content ".", never reads the output folder, the cache, node_modules or dot-folders', async () => {
    const dir = tree([
      "2021-db.md",
      "dist/postmortems/x/index.md",
      "site/out/page.md",
      ".cache/records/y.md",
      "node_modules/pkg/README.md",
      ".github/ISSUE_TEMPLATE.md",
      "docs/.hidden/z.md",
      "docs/2022-dns.md",
    ]);
    expect(await relPaths(dir)).toEqual(["2021-db.md", "docs/2022-dns.md", "site/out/page.md"]);
    expect(await relPaths(dir, { out: "site/out" })).toEqual(["2021-db.md", "dist/postmortems/x/index.md", "docs/2022-dns.md"]);
  });

  it("leaves an output folder outside the content folder alone", async () => {
    const root = tree(["content/a.md", "dist/b.md"]);
    expect((await discover(path.join(root, "content"), {}, root)).map((s) => s.relPath)).toEqual(["a.md"]);
  });
});
