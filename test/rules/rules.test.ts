import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { check } from "../../src/check.js";
import { RULE_IDS } from "../../src/rules/ids.js";
import { severityOf } from "../../src/util/messages.js";
import { repoRoot } from "../helpers.js";

// Each folder of test/fixtures/rules holds postmortems that break one rule (or none) and
// expected.txt: one line per message, `file line:column severity ruleId` (severity: error, warning or info).
const fixtures = path.join(repoRoot, "test", "fixtures", "rules");
const cases = fs.readdirSync(fixtures).sort();

describe("rules", () => {
  it.each(cases)("%s", async (name) => {
    const dir = path.join(fixtures, name);
    const result = await check({ root: dir, content: ".", cache: false });
    const actual = result.files.flatMap((file) =>
      file.messages.map((m) => `${path.relative(dir, file.path)} ${m.line}:${m.column} ${severityOf(m)} ${m.ruleId}`),
    );
    const expected = fs.readFileSync(path.join(dir, "expected.txt"), "utf8").split("\n").filter(Boolean);
    expect(actual).toEqual(expected);
    for (const message of result.files.flatMap((f) => f.messages)) {
      expect(message.note, `${message.ruleId} has a fix hint`).toMatch(/\S/);
      expect(message.reason).toMatch(/^(Missing|Unexpected|Cannot)/);
    }
    expect(result.ok).toBe(!expected.some((line) => line.includes(" error ")));
  });

  it("covers every rule id the project can emit", () => {
    const covered = new Set(cases.flatMap((name) => fs.readFileSync(path.join(fixtures, name, "expected.txt"), "utf8").match(/[a-z]+\/[a-z-]+$/gm) ?? []));
    const source = fs
      .readdirSync(path.join(repoRoot, "src"), { recursive: true })
      .map(String)
      .filter((f) => f.endsWith(".ts"))
      .map((f) => fs.readFileSync(path.join(repoRoot, "src", f), "utf8"))
      .join("\n");
    const emitted = new Set([...source.matchAll(/(?:id|ruleId): "([a-z]+\/[a-z-]+)"/g)].map((m) => m[1]!));
    // image/unreachable needs a server to fail to answer: test/images/images.test.ts covers it.
    // limits/memory needs a worker whose heap is too small: test/cache/build-cache.test.ts covers it.
    const elsewhere = new Set(["image/unreachable", "limits/memory"]);
    expect([...emitted].filter((id) => !covered.has(id) && !elsewhere.has(id))).toEqual([]);
    // The registry that `rules` in the config is checked against names exactly these.
    expect([...emitted].sort()).toEqual(RULE_IDS);
  });
});
