import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { fixtureArchive, listFiles, runCli, runCliChild, tempDir } from "../helpers.js";

describe("hindsight CLI", () => {
  it("prints help and the version", () => {
    const help = runCli(["--help"], tempDir());
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("hindsight build [options]");
    const version = runCli(["--version"], tempDir());
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("exits 2 with usage for an unknown command or option", () => {
    const command = runCli(["bild"], tempDir());
    expect(command.code).toBe(2);
    expect(command.stderr).toContain("Unknown command: bild");
    const option = runCli(["build", "--otu", "x"], tempDir());
    expect(option.code).toBe(2);
    expect(option.stderr).toMatch(/Unknown option '--otu'/);
    expect(option.stderr).not.toMatch(/\n\s+at /);
  });

  it("exits 2 naming a content folder that does not exist", () => {
    const result = runCli(["build", "--content", "nowhere"], tempDir());
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Content folder not found");
  });

  it("with --format json, reports a config or usage error as JSON on stdout: { error: { type, message, exitCode } }", () => {
    const root = tempDir();
    fs.mkdirSync(path.join(root, "content"));
    fs.writeFileSync(path.join(root, "hindsight.config.json"), JSON.stringify({ rules: { "sections/mising": "off" }, titel: "x" }));
    const config = runCli(["check", "--format", "json"], root);
    expect(config.code).toBe(2);
    const { error } = JSON.parse(config.stdout) as { error: { message: string } };
    expect(error).toMatchObject({ type: "usage", exitCode: 2 });
    expect(error.message).toContain("Unknown key `titel`");
    expect(error.message).toContain("unknown rule id `sections/mising`");
    // The person reading the terminal still gets it on stderr.
    expect(config.stderr).toContain("Invalid config in");
    const option = runCli(["build", "--format=json", "--otu"], root);
    expect(option.code).toBe(2);
    expect((JSON.parse(option.stdout) as { error: unknown }).error).toMatchObject({ type: "usage", exitCode: 2 });
    expect(runCli(["check", "--format", "stylish"], root).stdout).toBe("");
  });

  it("builds an archive with --content and --out and says what it wrote", () => {
    const cwd = tempDir();
    const result = runCli(["build", "--offline", "--content", path.join(fixtureArchive, "content"), "--out", "site"], cwd);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Built 4 postmortems, \d+ index pages, \d+ images? in [\d.]+ s → site\//);
    // Not a terminal: no progress bar redrawing itself in the log.
    expect(result.stdout + result.stderr).not.toContain("\r");
    // Warnings and infos are shown with file:line:column and a hint, but do not fail the build.
    expect(result.stderr).toMatch(/2023-03-04-cdn-cert\.md\n\s+1:1\s+info\s+Missing `date`, using 2023-03-04 from the file name\s+extract\/date-from-path/);
    expect(result.stderr).toContain(
      'hint: Add `date: 2023-03-04` to the frontmatter, or switch this off with `extract: { "date-from-path": false }` in the config.',
    );
    expect(listFiles(path.join(cwd, "site"))).toContain("postmortems/2024/q1/login-outage/index.html");
  });

  it("includes drafts with --drafts", () => {
    const cwd = tempDir();
    const result = runCli(["build", "--offline", "--content", path.join(fixtureArchive, "content"), "--drafts"], cwd);
    expect(result.stdout).toContain("Built 5 postmortems");
    expect(fs.existsSync(path.join(cwd, "dist/postmortems/2024/draft-billing/index.html"))).toBe(true);
    // Regression: the count of unchanged postmortems took in the draft left out (5 of 4).
    const again = runCli(["build", "--offline", "--content", path.join(fixtureArchive, "content")], cwd);
    // Three: the fourth has an image that cannot be used, so it is never cached.
    expect(again.stdout).toContain("Built 4 postmortems (3 unchanged)");
  });

  it("exits 1 on bad frontmatter with file:line:column and a hint, never a stack trace, and writes nothing", () => {
    const cwd = tempDir();
    fs.mkdirSync(path.join(cwd, "content"));
    fs.writeFileSync(path.join(cwd, "content", "bad.md"), "---\ntitle: ok\n  severity: SEV1\n---\n\nBody\n");
    const result = runCli(["build"], cwd);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /content\/bad\.md\n\s+2:8\s+error\s+Cannot parse frontmatter: Nested mappings are not allowed in compact mappings\s+frontmatter\/syntax/,
    );
    expect(result.stderr).toContain("hint: Fix the YAML");
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(fs.existsSync(path.join(cwd, "dist"))).toBe(false);
  });
});

describe("the debug channel", () => {
  it("says what was ignored with --debug or DEBUG=hindsight, and nothing without", () => {
    const root = tempDir();
    fs.cpSync(fixtureArchive, root, { recursive: true });
    const quiet = runCli(["build", "--offline"], root);
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).not.toMatch(/^hindsight:[a-z]+ /m);
    // A damaged cache entry is a miss: rebuilt, and said on the channel.
    const manifests = path.join(root, ".cache", "outputs");
    for (const file of fs.readdirSync(manifests)) fs.writeFileSync(path.join(manifests, file), "{ not json");
    const loud = runCli(["build", "--offline", "--debug"], root);
    expect(loud.code).toBe(0);
    expect(loud.stderr).toMatch(/^hindsight:write no previous manifest to read: every file is made: SyntaxError: /m);
    // A child process: the bin reads DEBUG from its own environment.
    const fromEnv = runCliChild(["check"], root, { ...process.env, DEBUG: "other,hindsight" });
    expect(fromEnv.stderr).toMatch(/^hindsight:[a-z]+ /m);
  });
});
