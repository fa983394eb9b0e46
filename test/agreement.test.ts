// check and build run one front half (`analyze`): over every rules fixture and every real
// archive they say the same things about the same files. Before, check validated through a
// second copy of the pipeline, and the two disagreed (a file with `severity: SEV9` and a
// missing image: check reported both, build only the first; tags whose ids collided passed
// check and failed build).
import fs from "node:fs";
import path from "node:path";
import type { VFile } from "vfile";
import { describe, expect, it } from "vitest";
import { generate } from "../src/build.js";
import { check } from "../src/check.js";
import { repoRoot, sharedDir, tempDir } from "./helpers.js";

const messagesOf = (files: readonly VFile[]) =>
  files
    .flatMap((f) => f.messages.map((m) => `${f.path} ${m.line}:${m.column} ${m.fatal ? "error" : "warning"} ${m.ruleId} ${m.reason}`))
    // Downloads are the build's alone: check fetches nothing.
    .filter((line) => !line.includes(" image/unreachable "))
    .sort();

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

const rulesDir = path.join(repoRoot, "test", "fixtures", "rules");
const realDir = path.join(sharedDir, "corpus", "real");

describe("check and build say the same things", () => {
  it("over every real archive", () => {
    expect(Object.keys(fitted).sort()).toEqual(
      fs
        .readdirSync(realDir)
        .filter((name) => fs.statSync(path.join(realDir, name)).isDirectory())
        .sort(),
    );
  });

  it.each(fs.readdirSync(rulesDir).sort())("rules fixture %s", async (name) => {
    const root = path.join(rulesDir, name);
    const options = { root, content: ".", cache: false } as const;
    const checked = await check(options);
    const built = await generate({ ...options, offline: true });
    expect(messagesOf(built.result.files)).toEqual(messagesOf(checked.files));
  });

  it.each(Object.keys(fitted).sort())("real archive %s, with a config fitted to it, and what they say is what is missing there", async (folder) => {
    // A config written in the project, not in ../shared: nothing is written there.
    const root = tempDir();
    const options = { root, content: path.join(realDir, folder), cache: false, ...fitted[folder] } as const;
    const checked = await check(options);
    const built = await generate({ ...options, offline: true });
    expect(checked.files.length).toBeGreaterThan(0);
    expect(messagesOf(built.result.files)).toEqual(messagesOf(checked.files));

    const messages = checked.files.flatMap((f) => f.messages.map((m) => ({ file: path.basename(f.path), id: m.ruleId, line: m.line })));
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
      expect(checked.files.find((f) => f.path.endsWith("04-25-User_Account_Compromise.md"))!.messages.map((m) => m.reason)).toContain(
        "Missing `date`, using 2023-04-25 from the folder `2023-04` and the file name",
      );
    }
    if (folder === "icco-postmortems-2023") {
      // The older export has no titles at all: each file says so.
      expect(count("frontmatter/required")).toBe(243);
      expect(checked.ok).toBe(false);
    }
  });

  it("a file with an unknown severity and a missing image: both are reported by both", async () => {
    const root = tempDir();
    const valid = fs.readFileSync(path.join(rulesDir, "valid", "input.md"), "utf8");
    fs.mkdirSync(path.join(root, "content"));
    fs.writeFileSync(
      path.join(root, "content", "a.md"),
      valid.replace("severity: SEV2", "severity: SEV9").replace("A flush.", "A flush.\n\n![graph](missing.png)"),
    );
    const rules = (files: readonly VFile[]) => files.flatMap((f) => f.messages.map((m) => m.ruleId)).sort();
    expect(rules((await check({ root, cache: false })).files)).toEqual(["frontmatter/severity", "image/missing"]);
    expect(rules((await generate({ root, cache: false, offline: true })).result.files)).toEqual(["frontmatter/severity", "image/missing"]);
  });
});
