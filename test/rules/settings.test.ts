import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { settingsKey } from "../../src/cache/keys.js";
import { check } from "../../src/check.js";
import { resolveConfig } from "../../src/config.js";
import { UsageError } from "../../src/errors.js";
import { RULE_IDS } from "../../src/rules/ids.js";
import { tempDir } from "../helpers.js";

/** An archive of one postmortem without frontmatter: a title from its heading, no date, no sections. */
function archive(files: Record<string, string> = { "outage.md": "# Outage\n\nThe cache was flushed.\n" }): string {
  const root = tempDir();
  fs.mkdirSync(path.join(root, "content"));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, "content", name)), { recursive: true });
    fs.writeFileSync(path.join(root, "content", name), text);
  }
  return root;
}

const summary = (files: readonly { messages: readonly { ruleId?: string | undefined; fatal?: boolean | null | undefined }[] }[]) =>
  files.flatMap((file) => file.messages.map((m) => `${m.fatal ? "error" : "warning"} ${m.ruleId}`)).sort();

describe("rule settings (rules: { id: off | warn | error })", () => {
  it('drops an "off" rule\'s messages and sets the severity of "warn" and "error" ones', async () => {
    const root = archive();
    const before = await check({ root, cache: false });
    expect(new Set(summary(before.files))).toEqual(new Set(["warning title/fallback", "error frontmatter/required", "error sections/missing"]));
    const after = await check({ root, cache: false, rules: { "sections/missing": "off", "frontmatter/required": "warn", "title/fallback": "error" } });
    expect(summary(after.files)).toEqual(
      [
        "error title/fallback",
        ...summary(before.files)
          .filter((m) => m.endsWith("frontmatter/required"))
          .map((m) => m.replace("error", "warning")),
      ].sort(),
    );
    expect(after.ok).toBe(false);
    const relaxed = await check({ root, cache: false, rules: { "sections/missing": "off", "frontmatter/required": "off", "title/fallback": "off" } });
    expect(summary(relaxed.files)).toEqual([]);
    expect(relaxed.ok).toBe(true);
  });

  it("sets rules for the files overrides match, a later entry over an earlier one and over rules", async () => {
    const root = archive({ "old/a.md": "# A\n\nText.\n", "b.md": "# B\n\nText.\n" });
    const options = { root, cache: false, fields: { required: [] } };
    const result = await check({
      ...options,
      rules: { "title/fallback": "off" },
      overrides: [
        { files: ["old/*.md"], rules: { "sections/missing": "off" } },
        { files: ["old/a.md"], rules: { "sections/missing": "warn" } },
      ],
    });
    const of = (name: string) => summary(result.files.filter((f) => f.path.endsWith(name)));
    expect(new Set(of("old/a.md"))).toEqual(new Set(["warning sections/missing"]));
    expect(new Set(of("/b.md"))).toEqual(new Set(["error sections/missing"]));
    await expect(check({ ...options, overrides: [{ files: ["*.md"], rules: { "no/such-rule": "off" } }] })).rejects.toThrow(
      /`overrides\.0\.rules\.no\/such-rule`: unknown rule id/,
    );
  });

  it("covers the rules across files too (slug/unique)", async () => {
    const page = "---\ntitle: Outage\nslug: outage\n---\n\nText.\n";
    const root = archive({ "a.md": page, "b.md": page });
    const options = { root, cache: false, fields: { required: [] }, sections: [] };
    expect(summary((await check(options)).files)).toEqual(["error slug/unique", "error slug/unique"]);
    const warned = await check({ ...options, rules: { "slug/unique": "warn" } });
    expect(summary(warned.files)).toEqual(["warning slug/unique", "warning slug/unique"]);
    expect(warned.ok).toBe(true);
  });

  it('--strict turns warnings into errors but leaves "off" off', async () => {
    const root = archive();
    const result = await check({ root, cache: false, strict: true, rules: { "sections/missing": "off", "frontmatter/required": "warn" } });
    expect(new Set(summary(result.files))).toEqual(new Set(["error title/fallback", "error frontmatter/required"]));
  });

  it("applies to records taken from the cache, whose key does not depend on the settings (changing one reprocesses nothing)", async () => {
    const root = archive();
    // Only a warning: the record is cached.
    const quiet = { root, fields: { required: [] }, sections: [] };
    expect(summary((await check(quiet)).files)).toEqual(["warning title/fallback"]);
    expect(summary((await check({ ...quiet, rules: { "title/fallback": "error" } })).files)).toEqual(["error title/fallback"]);
    expect(summary((await check({ ...quiet, rules: { "title/fallback": "off" } })).files)).toEqual([]);
    expect(summary((await check(quiet)).files)).toEqual(["warning title/fallback"]);
    const key = (user: Parameters<typeof resolveConfig>[0]) => settingsKey(resolveConfig(user, root), "code", false);
    expect(key({ rules: { "sections/missing": "off" }, overrides: [{ files: ["*.md"], rules: { "title/fallback": "off" } }] })).toBe(key({}));
    expect(key({ sections: [] })).not.toBe(key({}));
  });

  it("refuses an unknown rule id, naming it and listing the known ones (a config error, exit 2)", async () => {
    const root = archive();
    fs.writeFileSync(path.join(root, "hindsight.config.json"), JSON.stringify({ rules: { "sections/mising": "off" } }));
    const failure = check({ root, cache: false });
    await expect(failure).rejects.toThrow(UsageError);
    await expect(failure).rejects.toThrow(/`rules\.sections\/mising`: unknown rule id `sections\/mising`; known rule ids: .*sections\/missing/);
    expect(RULE_IDS).toContain("frontmatter/ignored");
  });
});
