import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { build } from "../src/build.js";
import { check } from "../src/check.js";
import { severityOf } from "../src/util/messages.js";
import { listFiles, sharedDir, tempDir } from "./helpers.js";
import { brokenLinks } from "./links.js";

// Every real archive is built in full after `init`, its links and pages checked, in
// test/init/init.test.ts; checked with a config fitted to it in agreement.test.ts.
describe("the seed", () => {
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
