import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { fixtureArchive, runCli, tempDir } from "../helpers.js";

const rules = path.join(fixtureArchive, "..", "rules");

/** A project folder holding the given files. */
function project(files: Record<string, string>): string {
  const root = tempDir();
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), text);
  }
  return root;
}

const valid = fs.readFileSync(path.join(rules, "valid", "input.md"), "utf8");
const noTimeline = fs.readFileSync(path.join(rules, "sections-missing", "input.md"), "utf8");
const badStatus = fs.readFileSync(path.join(rules, "frontmatter-status", "input.md"), "utf8");

describe("hindsight check", () => {
  it("exits 0 and says so when every postmortem is fine, writing nothing but its cache", () => {
    const root = project({ "content/a.md": valid });
    const result = runCli(["check"], root);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("✔ 1 postmortem checked: no problems");
    // The cache is the build's: a build after a check processes nothing again.
    expect(fs.readdirSync(root).sort()).toEqual([".cache", "content"]);
  });

  it("reports every problem of every file, grouped, and exits 1", () => {
    const root = project({ "content/a.md": noTimeline, "content/b.md": valid.replace("severity: SEV2", "severity: SEV9") });
    const result = runCli(["check"], root);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/content\/a\.md\n\s+12:1\s+error\s+Missing section `## Timeline`\s+sections\/missing/);
    expect(result.stdout).toMatch(/content\/b\.md\n\s+4:11\s+error\s+Unexpected severity `SEV9`, expected one of SEV1, SEV2, SEV3, SEV4, SEV5/);
    expect(result.stdout).toContain("✖ 2 problems (2 errors, 0 warnings)");
  });

  it("checks only the given paths", () => {
    const root = project({ "content/a.md": noTimeline, "content/ok/b.md": valid });
    const result = runCli(["check", "content/ok"], root);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("1 postmortem checked");
    expect(runCli(["check", "content/missing.md"], root)).toMatchObject({ code: 2 });
  });

  it("fails on warnings with --strict", () => {
    const root = project({ "content/a.md": badStatus });
    expect(runCli(["check"], root).code).toBe(0);
    const strict = runCli(["check", "--strict"], root);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/6:9\s+error\s+Unexpected status `published`/);
  });

  it("writes JSON with --format json", () => {
    const root = project({ "content/a.md": noTimeline });
    const result = runCli(["check", "--format", "json"], root);
    expect(JSON.parse(result.stdout)).toEqual([
      {
        file: "content/a.md",
        errorCount: 1,
        warningCount: 0,
        infoCount: 0,
        messages: [
          {
            line: 12,
            column: 1,
            severity: "error",
            ruleId: "sections/missing",
            message: "Missing section `## Timeline`",
            hint: "Add a `## Timeline` section (or `Timeline of Events`) before `Root Cause and Resolution`.",
          },
        ],
      },
    ]);
  });

  it("writes GitHub workflow annotations with --format github", () => {
    const root = project({ "content/a, b.md": noTimeline });
    const result = runCli(["check", "--format", "github"], root);
    expect(result.stdout).toBe(
      "::error file=content/a%2C b.md,line=12,col=1,title=sections/missing::Missing section `## Timeline`%0AAdd a `## Timeline` section (or `Timeline of Events`) before `Root Cause and Resolution`.\n",
    );
  });

  it("exits 2 for an unknown format", () => {
    const result = runCli(["check", "--format", "xml"], project({}));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Unknown format: xml");
  });
});

describe("config files", () => {
  it("reads hindsight.config.json: sections, required fields, severities with aliases", () => {
    const config = {
      sections: [{ name: "Summary" }],
      fields: { required: ["title"] },
      severities: [{ id: "P1", label: "Critical", aliases: ["sev-1"] }, "P2"],
    };
    const root = project({
      "hindsight.config.json": JSON.stringify(config),
      "content/a.md": "---\ntitle: A\nseverity: sev-1\n---\n\n## Summary\n\nText.\n",
      "content/b.md": "---\ntitle: B\nseverity: SEV2\n---\n\n## Summary\n\nText.\n",
    });
    const result = runCli(["check"], root);
    expect(result.stdout).not.toContain("a.md");
    expect(result.stdout).toMatch(/b\.md\n\s+3:11\s+error\s+Unexpected severity `SEV2`, expected one of P1, P2/);
  });

  it.each([
    ["hindsight.config.mjs", "export default { title: 'From MJS', sections: [], fields: { required: [] } };"],
    [
      "hindsight.config.ts",
      "import type {} from 'node:fs';\nconst title: string = 'From TS';\nexport default { title, sections: [], fields: { required: [] } };",
    ],
  ])("reads %s", (name, text) => {
    const root = project({ [name]: text, "content/a.md": "# A\n" });
    const result = runCli(["build"], root);
    expect(result.code, result.stderr).toBe(0);
    expect(fs.readFileSync(path.join(root, "dist/index.html"), "utf8")).toMatch(/<title>From (MJS|TS)<\/title>/);
  });

  it("takes --config PATH", () => {
    const root = project({ "conf/site.json": '{"title": "Elsewhere", "sections": []}', "content/a.md": valid });
    expect(runCli(["build", "--config", "conf/site.json"], root).code).toBe(0);
    expect(fs.readFileSync(path.join(root, "dist/index.html"), "utf8")).toContain("<title>Elsewhere</title>");
  });

  it.each([
    ['{"titel": "x"}', "Unknown key `titel`; known keys: title, url"],
    ['{"images": {"remote": true, "retries": 3}}', "Unknown key `images.retries`; known keys: remote, timeoutMs, maxBytes, concurrency"],
    ['{"sections": "Timeline"}', "`sections`: expected array, received string"],
    ['{"fields": {"required": [1]}}', "`fields.required.0`: expected string, received number"],
    ['{"url": "ftp://x"}', "`url`: expected an absolute http(s) URL"],
    ['{"title": ', "Cannot load config"],
  ])("exits 2 naming the key for %s", (text, expected) => {
    const root = project({ "hindsight.config.json": text, "content/a.md": valid });
    for (const command of ["check", "build"]) {
      const result = runCli([command], root);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain("hindsight.config.json");
      expect(result.stderr).toContain(expected);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
    expect(fs.existsSync(path.join(root, "dist"))).toBe(false);
  });

  it("accepts fields.required: [] and sections: [] so an old archive can adopt Hindsight step by step", () => {
    const root = project({ "hindsight.config.json": '{"fields": {"required": []}, "sections": []}', "content/notes.md": "Just some text.\n" });
    const result = runCli(["build"], root);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Built 1 postmortem");
  });

  it('checks the files and folders given when there is no content folder (regression: "Content folder not found")', () => {
    const root = project({ "docs/incidents/a.md": valid, "docs/incidents/b.md": noTimeline, "notes/c.md": badStatus });
    const folder = runCli(["check", "docs/incidents"], root);
    expect(folder.stderr).toBe("");
    expect(folder.code).toBe(1);
    expect(folder.stdout).toMatch(/docs\/incidents\/b\.md\n\s+12:1\s+error\s+Missing section `## Timeline`/);
    expect(folder.stdout).not.toContain("notes/c.md");
    const file = runCli(["check", "notes/c.md", "docs/incidents/a.md"], root);
    expect(file.code).toBe(0);
    expect(file.stdout).toMatch(/notes\/c\.md\n\s+6:9\s+warning\s+Unexpected status `published`/);
    // Without paths, the missing content folder is still a usage error.
    expect(runCli(["check"], root).code).toBe(2);
  });
});

describe("hindsight build runs the same rules first", () => {
  it("exits 1 with the messages and leaves the previous dist/ as it was", () => {
    const root = project({ "content/a.md": valid });
    expect(runCli(["build"], root).code).toBe(0);
    const before = fs.readFileSync(path.join(root, "dist/index.html"), "utf8");
    fs.writeFileSync(path.join(root, "content/b.md"), noTimeline);
    const result = runCli(["build"], root);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/12:1\s+error\s+Missing section `## Timeline`/);
    expect(result.stderr).toContain("Nothing was written to dist.");
    expect(fs.readFileSync(path.join(root, "dist/index.html"), "utf8")).toBe(before);
  });

  it("prints GitHub annotations for build too", () => {
    const root = project({ "content/a.md": noTimeline });
    const result = runCli(["build", "--format", "github"], root);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("::error file=content/a.md,line=12,col=1,title=sections/missing::");
  });
});
