import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { UsageError } from "../src/errors.js";
import { discover } from "../src/stages/discover.js";
import { fixtureArchive, tempDir } from "./helpers.js";

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
