import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import fg from "fast-glob";
import { describe, expect, it } from "vitest";
import { build } from "../src/build.js";
import { listFiles, sharedDir, tempDir } from "./helpers.js";
import { brokenLinks } from "./links.js";

const realDir = path.join(sharedDir, "corpus", "real");
const folders = ["chia-post-mortem", "dfds-postmortems", "icco-postmortems", "icco-postmortems-2023", "posthog-post-mortems"];

describe("real archives from ../shared/corpus/real", () => {
  it.each(folders)("builds %s in full with the checks off, a page per Markdown file, with working links", async (folder) => {
    const content = path.join(realDir, folder);
    const expected = fg.sync("**/*.{md,markdown}", { cwd: content, caseSensitiveMatch: false }).length;
    expect(expected).toBeGreaterThan(0);
    const out = path.join(tempDir(), "site");
    const result = await build({ root: content, content, out, drafts: true, fields: { required: [] }, sections: [] });
    expect(result.files.flatMap((f) => f.messages.filter((m) => m.fatal).map(String))).toEqual([]);
    expect(result.ok).toBe(true);
    const files = listFiles(out);
    expect(files.filter((f) => /^postmortems\/.+\/index\.html$/.test(f))).toHaveLength(expected);
    // Images are another stage's job, and a site-absolute link the author wrote for their own
    // website (`/community/profiles/1`) is theirs; every other link must resolve.
    const broken = brokenLinks(out, files).filter((l) => !/\.(png|jpe?g|gif|svg|webp)$/i.test(l.href) && !l.href.startsWith("/"));
    expect(broken).toEqual([]);
    for (const file of files.filter((f) => f.endsWith(".html"))) {
      expect(fs.readFileSync(path.join(out, file), "utf8"), file).not.toMatch(/<script|\son[a-z]+=|javascript:/i);
    }
  });

  it("renders the seed postmortem exactly as given: title from its H1, all four sections", async () => {
    const root = tempDir();
    fs.mkdirSync(path.join(root, "content"));
    fs.copyFileSync(path.join(sharedDir, "seed", "000_1c7d0615a4075261.txt"), path.join(root, "content", "seed.md"));
    const result = await build({ root, fields: { required: ["title"] } });
    expect(result.ok).toBe(true);
    const page = fs.readFileSync(path.join(root, "dist/postmortems/seed/index.html"), "utf8");
    expect(page).toContain("<h1>0x19. Postmortem</h1>");
    for (const id of ["issue-summary", "timeline", "root-cause-and-resolution", "corrective-and-preventative-measures"]) {
      expect(page).toContain(`<a href="#${id}">`);
    }
  });
});

describe("generated archives from ../shared/bench/gen-corpus.mjs", () => {
  it("builds 300 synthetic postmortems, every one listed in the indexes", async () => {
    const root = tempDir();
    const gen = spawnSync(process.execPath, [path.join(sharedDir, "bench", "gen-corpus.mjs"), "300", root], { encoding: "utf8" });
    expect(gen.status, gen.stderr).toBe(0);
    const result = await build({ root, drafts: true });
    expect(result.ok).toBe(true);
    expect(result.postmortems).toBe(300);
    const files = listFiles(path.join(root, "dist"));
    expect(brokenLinks(path.join(root, "dist"), files).filter((l) => !/\.(png|jpe?g|gif)$/i.test(l.href))).toEqual([]);
    const severityIndex = fs.readFileSync(path.join(root, "dist/severity/index.html"), "utf8");
    const counts = [...severityIndex.matchAll(/<td class="num">([\d,]+)<\/td>/g)].map((m) => Number(m[1]!.replace(/,/g, "")));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(300);
  });
});
