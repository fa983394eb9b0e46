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

const rulesDir = path.join(repoRoot, "test", "fixtures", "rules");
const realDir = path.join(sharedDir, "corpus", "real");

describe("check and build say the same things", () => {
  it.each(fs.readdirSync(rulesDir).sort())("rules fixture %s", async (name) => {
    const root = path.join(rulesDir, name);
    const options = { root, content: ".", cache: false } as const;
    const checked = await check(options);
    const built = await generate({ ...options, offline: true });
    expect(messagesOf(built.result.files)).toEqual(messagesOf(checked.files));
  });

  it.each(
    fs
      .readdirSync(realDir)
      .filter((name) => fs.statSync(path.join(realDir, name)).isDirectory())
      .sort(),
  )("real archive %s", async (name) => {
    // A config written in the project, not in ../shared: nothing is written there.
    const root = tempDir();
    const options = { root, content: path.join(realDir, name), cache: false } as const;
    const checked = await check(options);
    const built = await generate({ ...options, offline: true });
    expect(checked.files.length).toBeGreaterThan(0);
    expect(messagesOf(built.result.files)).toEqual(messagesOf(checked.files));
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
