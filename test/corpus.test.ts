import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import fg from "fast-glob";
import { describe, expect, it } from "vitest";
import { build } from "../src/build.js";
import { check } from "../src/check.js";
import { severityOf } from "../src/util/messages.js";
import { listFiles, sharedDir, tempDir, withoutThemeScripts } from "./helpers.js";
import { brokenLinks } from "./links.js";

const realDir = path.join(sharedDir, "corpus", "real");
const folders = ["chia-post-mortem", "dfds-postmortems", "icco-postmortems", "icco-postmortems-2023", "posthog-post-mortems"];

describe("real archives from ../shared/corpus/real", () => {
  it.each(folders)("builds %s in full with the checks off, a page per Markdown file, with working links", async (folder) => {
    const content = path.join(realDir, folder);
    const expected = fg.sync("**/*.{md,markdown}", { cwd: content, caseSensitiveMatch: false }).length;
    expect(expected).toBeGreaterThan(0);
    const out = path.join(tempDir(), "site");
    const result = await build({ offline: true, root: content, content, out, cache: false, drafts: true, fields: { required: [] }, sections: [] });
    expect(result.files.flatMap((f) => f.messages.filter((m) => m.fatal).map(String))).toEqual([]);
    expect(result.ok).toBe(true);
    const files = listFiles(out);
    expect(files.filter((f) => /^postmortems\/.+\/index\.html$/.test(f))).toHaveLength(expected);
    // Images are another stage's job, and a site-absolute link the author wrote for their own
    // website (`/community/profiles/1`) is theirs; every other link must resolve.
    const broken = brokenLinks(
      out,
      files.filter((f) => f !== "404.html"),
    ).filter((l) => !/\.(png|jpe?g|gif|svg|webp)$/i.test(l.href) && !l.href.startsWith("/"));
    expect(broken).toEqual([]);
    for (const file of files.filter((f) => f.endsWith(".html"))) {
      expect(withoutThemeScripts(fs.readFileSync(path.join(out, file), "utf8")), file).not.toMatch(/<script|\son[a-z]+=|javascript:/i);
    }
  });

  it("renders the seed postmortem exactly as given: title from its H1, all four sections", async () => {
    const root = tempDir();
    fs.mkdirSync(path.join(root, "content"));
    fs.copyFileSync(path.join(sharedDir, "seed", "000_1c7d0615a4075261.txt"), path.join(root, "content", "seed.md"));
    const result = await build({ offline: true, root, fields: { required: ["title"] } });
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
    const result = await build({ offline: true, root, drafts: true });
    expect(result.ok).toBe(true);
    expect(result.postmortems).toBe(300);
    const files = listFiles(path.join(root, "dist"));
    expect(
      brokenLinks(
        path.join(root, "dist"),
        files.filter((f) => f !== "404.html"),
      ).filter((l) => !/\.(png|jpe?g|gif)$/i.test(l.href)),
    ).toEqual([]);
    const severityIndex = fs.readFileSync(path.join(root, "dist/severity/index.html"), "utf8");
    const counts = [...severityIndex.matchAll(/<td class="num">([\d,]+)<\/td>/g)].map((m) => Number(m[1]!.replace(/,/g, "")));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(300);
  });
});

/** Configs fitted to each real archive's own section names, as a team adopting Hindsight would write. */
const fitted: Record<string, { sections: { name: string; aliases?: string[] }[]; fields: { required: string[] } }> = {
  "chia-post-mortem": {
    sections: [{ name: "Issue Summary" }, { name: "Timeline" }, { name: "Resolution and Recovery" }],
    fields: { required: ["title", "date"] },
  },
  "dfds-postmortems": {
    sections: [{ name: "Summary" }, { name: "Timeline" }, { name: "Contributing Factors" }, { name: "Lessons Learned" }, { name: "Action Items" }],
    fields: { required: ["title"] },
  },
  "posthog-post-mortems": {
    sections: [{ name: "Summary" }, { name: "Timeline" }, { name: "Root Cause", aliases: ["Root Cause Analysis"] }, { name: "Remediation" }],
    fields: { required: ["title", "date"] },
  },
  "icco-postmortems": { sections: [], fields: { required: ["title", "company"] } },
  "icco-postmortems-2023": { sections: [], fields: { required: ["title", "company"] } },
};

describe("check over the real archives with configs fitted to them", () => {
  it.each(folders)("%s: runs without a crash and says, per file, what is missing", async (folder) => {
    const content = path.join(realDir, folder);
    // No cache: it would be written into ../shared.
    const result = await check({ root: content, content, cache: false, ...fitted[folder] });
    const messages = result.files.flatMap((f) => f.messages.map((m) => ({ file: path.basename(f.path), id: m.ruleId, line: m.line })));
    // Every message is placed and named.
    for (const m of messages) expect(m.line, `${m.file} ${m.id}`).toBeGreaterThanOrEqual(1);
    const count = (id: string) => messages.filter((m) => m.id === id).length;
    if (folder === "dfds-postmortems") {
      // 37 of 38 have Contributing Factors; every title comes from the H1.
      expect(count("sections/missing")).toBe(1);
      expect(count("title/fallback")).toBe(38);
    }
    if (folder === "chia-post-mortem") {
      // "Resolution and recovery" is missing from a few; dates come from Jekyll-style names.
      expect(count("sections/missing")).toBeGreaterThan(0);
      // 30 of 31 file names start with a date; the other one, `2023-04/04-25-…`, has it from its folder and name.
      expect(count("extract/date-from-path")).toBe(31);
      expect(result.files.find((f) => f.path.endsWith("04-25-User_Account_Compromise.md"))!.messages.map((m) => m.reason)).toContain(
        "Missing `date`, using 2023-04-25 from the folder `2023-04` and the file name",
      );
    }
    if (folder === "icco-postmortems-2023") {
      // The older export has no titles at all: each file says so.
      expect(count("frontmatter/required")).toBe(243);
      expect(result.ok).toBe(false);
    }
  });
});

describe("check of the seed exactly as given", () => {
  it("asks for date, severity and services, takes the title from the H1, and says what it read from the text", async () => {
    const seed = path.join(sharedDir, "seed", "000_1c7d0615a4075261.txt");
    const result = await check({ root: tempDir(), content: ".", paths: [seed] });
    expect(result.files).toHaveLength(1);
    const messages = result.files[0]!.messages.map((m) => `${m.line}:${m.column} ${severityOf(m)} ${m.ruleId} ${m.reason}`);
    expect(messages).toEqual([
      // Its bold-labelled bullets are data: said as info messages, at their lines.
      "8:1 info extract/summary-list Missing `summary`, using the first items from the list of the summary section",
      "8:3 info extract/labelled-lines Missing `duration`, using `4h` from `4 hours, from 11:00 AM to 3:00 PM (PST)` in the text",
      "9:3 info extract/labelled-lines Missing `impact`, using a sentence from the line `Impact: …`",
      "1:1 warning title/fallback Missing `title`, using the first `#` heading",
      "1:1 error frontmatter/required Missing required field `date`",
      "1:1 error frontmatter/required Missing required field `severity`",
      "1:1 error frontmatter/required Missing required field `services`",
    ]);
    expect(result.ok).toBe(false);
  });
});
