import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { escapeTerminal, escapeTerminalLines, stringifyForTerminal } from "../../src/util/terminal.js";
import { fixtureArchive, runCli, tempDir } from "../helpers.js";

describe("escapeTerminal", () => {
  it("shows control characters as \\xNN, format and separator characters as \\uNNNN", () => {
    expect(escapeTerminal("a\u001b]0;t\u0007b")).toBe("a\\x1b]0;t\\x07b");
    expect(escapeTerminal("a\r\nb\tc\u0000\u007f")).toBe("a\\x0d\\x0ab\\x09c\\x00\\x7f");
    expect(escapeTerminal("\u009b2J\u0085")).toBe("\\x9b2J\\x85");
    expect(escapeTerminal("\u202eexe.txt\u2066\u2069\u200b\u200f\ufeff\u2028")).toBe("\\u202eexe.txt\\u2066\\u2069\\u200b\\u200f\\ufeff\\u2028");
    expect(escapeTerminal("tag\u{e0041}")).toBe("tag\\u{e0041}");
  });

  it("escapes the runners' older command syntax anywhere in a line: ##[add-mask], ##vso[", () => {
    expect(escapeTerminal("Unexpected severity `##[add-mask]Built` ##vso[task.setvariable]")).toBe(
      "Unexpected severity `#\\x23[add-mask]Built` #\\x23vso[task.setvariable]",
    );
    expect(stringifyForTerminal({ m: "##[warning]x" })).toBe('{"m":"#\\u0023[warning]x"}');
    expect(JSON.parse(stringifyForTerminal({ m: "##[warning]x" }))).toEqual({ m: "##[warning]x" });
  });

  it("leaves printable text alone, Unicode and backslashes included", () => {
    const text = "Unexpected severity `SEV9`, expected one of SEV1 — “ü” 日本 ≤ \\x1b %0A ::error";
    expect(escapeTerminal(text)).toBe(text);
  });

  it("keeps the line breaks of an error's indented detail lines, and no line begins with ::", () => {
    expect(escapeTerminalLines("Invalid config in a\u001b.json:\n  `title`: bad\r\n  `url`: bad")).toBe(
      "Invalid config in a\\x1b.json:\n  `title`: bad\\x0d\n  `url`: bad",
    );
    expect(escapeTerminalLines("Cannot read a\n::error file=a::b.md\nBuilt")).toBe("Cannot read a\\x0a::error file=a::b.md\\x0aBuilt");
    expect(escapeTerminalLines("x\n  ::stop-commands::t\n\t::add-mask::c")).toBe("x\n  \\x3a:stop-commands::t\n\\x09::add-mask::c");
    expect(escapeTerminalLines("Error: boom {\n  [cause]: Error: in\n}")).toBe("Error: boom {\n  [cause]: Error: in\n}");
  });

  it("writes JSON that parses back to the same value, with nothing a terminal acts on", () => {
    const value = { s: "\u001b[2J\u0007\r\n\u007f\u009b\u202e\u2028\ufeff\u{e0041} ok ü" };
    const json = stringifyForTerminal(value, 2);
    expect(json).not.toMatch(/(?!\n)[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u);
    expect(JSON.parse(json)).toEqual(value);
    expect(stringifyForTerminal({ a: [1, "b"] }, 2)).toBe(JSON.stringify({ a: [1, "b"] }, null, 2));
  });
});

// Issue 13, finding 2: frontmatter values and file names reached the terminal and CI log raw.
// A newline let a value start a line `::error …` (a GitHub Actions workflow command: spoofed
// annotations, ::add-mask::, ::stop-commands::), and ESC sequences set the title, cleared the
// screen or, with OSC 52, replaced the clipboard of whoever ran `check` on a pull request.
describe("issue 13: CI log injection and terminal escapes", () => {
  const valid = fs.readFileSync(path.join(fixtureArchive, "..", "rules", "valid", "input.md"), "utf8");
  const spoof =
    String.raw`---
title: "Title \u001b]0;pwned\u0007 \u001b]52;c;cHduZWQ=\u0007 \u001b[2J"
date: 2024-02-10T09:30:00Z
severity: "SEV9\n::error file=README.md,line=1::Spoofed\n::add-mask::Built"
services: [auth]
status: "\u001b]52;c;cHduZWQ=\u0007\u009b2J \u202egnp.exe\u202c"
duration: "\u001b]0;pwned\u0007\r::stop-commands::token"
---
` + valid.slice(valid.indexOf("\n## "));
  const warned = valid.replace("severity: SEV2", "severity: SEV2\nstatus: published");
  // Named so that the path, as printed, has a line of its own that begins with `::`.
  const names = [
    "a\n::error file=x::pwned.md",
    "::error file=x::pwned.md",
    " ::warning file=y::space.md",
    "b\u001b]0;pwned\u0007\u202e.md",
    "##[add-mask]Built.md",
  ];

  /** A project whose content folder holds the spoofing postmortem and the oddly named files. */
  function project(content: string): string {
    const root = tempDir();
    const dir = path.join(root, content);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "spoof.md"), spoof);
    for (const name of names) fs.writeFileSync(path.join(dir, name), warned);
    return root;
  }

  /** Runs the CLI in-process, its output as the bytes a process would write. */
  function run(args: string[], cwd: string) {
    const result = runCli(args, cwd);
    return { code: result.code, stdout: Buffer.from(result.stdout), stderr: Buffer.from(result.stderr) };
  }

  /** GitHub's escaping of a workflow command property, reversed. */
  const unescapeProperty = (text: string) => text.replace(/%3A/g, ":").replace(/%2C/g, ",").replace(/%0D/g, "\r").replace(/%0A/g, "\n").replace(/%25/g, "%");

  function expectSafe(output: Buffer, format: string, folder: string): void {
    for (const byte of [0x1b, 0x07, 0x0d, 0x9b]) expect(output.includes(byte), `byte 0x${byte.toString(16)} in\n${output.toString()}`).toBe(false);
    const text = output.toString("utf8");
    // No control, format or separator character but our own line breaks.
    expect(text).not.toMatch(/(?!\n)[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u);
    // Nor the runners' older commands, which they find anywhere in a line.
    expect(text).not.toMatch(/##(\[|vso\[)/iu);
    for (const line of text.split("\n")) {
      // The runner trims leading white space before it looks for `::`.
      if (!line.trimStart().startsWith("::")) continue;
      expect(format, `a line beginning with :: in ${format} output: ${line}`).toBe("github");
      const match = /^::(error|warning) file=([^,:]*),line=\d+,col=\d+,title=[^,:]*::/.exec(line);
      expect(match, line).not.toBeNull();
      const file = unescapeProperty(match![2]!);
      expect([...names, "spoof.md"].map((name) => path.posix.join(folder, name)).map((name) => escapeTerminal(name).replace(/\\x0a/g, "\n"))).toContain(file);
    }
  }

  for (const folder of ["content", "."]) {
    const options = folder === "content" ? [] : ["--content", "."];
    for (const format of ["stylish", "github", "json"]) {
      it(`check --format ${format}${folder === "." ? " --content ." : ""} prints every value escaped`, () => {
        const root = project(folder);
        const result = run(["check", "--format", format, ...options], root);
        expect(result.code, result.stderr.toString()).toBe(1);
        expectSafe(result.stdout, format, folder);
        expectSafe(result.stderr, format, folder);
        if (format === "json") {
          const report = JSON.parse(result.stdout.toString("utf8")) as { file: string; messages: { message: string }[] }[];
          // JSON consumers get the real values back.
          expect(report.map((r) => r.file)).toContain(path.posix.join(folder, names[0]!));
          expect(report.flatMap((r) => r.messages.map((m) => m.message))).toContainEqual(
            expect.stringContaining("Unexpected status `\u001b]52;c;cHduZWQ=\u0007\u009b2J \u202egnp.exe\u202c`, expected one of"),
          );
        }
        if (format === "stylish") {
          const stdout = result.stdout.toString("utf8");
          expect(stdout).toContain("Unexpected severity `SEV9\\x0a::error file=README.md,line=1::Spoofed\\x0a::add-mask::Built`");
          expect(stdout).toContain("Unexpected status `\\x1b]52;c;cHduZWQ=\\x07\\x9b2J \\u202egnp.exe\\u202c`");
          expect(stdout).toContain(`\n${path.posix.join(folder, "a\\x0a::error file=x::pwned.md")}\n`);
        }
      });

      it(`build --format ${format}${folder === "." ? " --content ." : ""} prints every value escaped, the out folder too`, () => {
        const root = project(folder);
        const out = "out\n::error file=o::x\u001b[2J";
        const result = run(["build", "--format", format, "--out", out, ...options], root);
        expect(result.code, result.stderr.toString()).toBe(1);
        expectSafe(result.stdout, format, folder);
        expectSafe(result.stderr, format, folder);
        expect(result.stderr.toString("utf8")).toContain("Nothing was written to out\\x0a::error file=o::x\\x1b[2J.");
        if (format === "json") expect(() => JSON.parse(result.stdout.toString("utf8")) as unknown).not.toThrow();
      });
    }
  }

  it("prints a path given on the command line escaped when it is not found", () => {
    const root = project("content");
    const result = run(["check", "content/\u001b[2J\n::error file=q::missing.md"], root);
    expect(result.code).toBe(2);
    expectSafe(result.stdout, "stylish", "content");
    expectSafe(result.stderr, "stylish", "content");
    expect(result.stderr.toString("utf8")).toContain("\\x1b[2J\\x0a::error file=q::missing.md");
  });
});
