import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { build } from "../src/build.js";
import { editLink, readGitHistory } from "../src/stages/git.js";
import { tempDir } from "./helpers.js";

const postmortem = (title: string) => `---
title: "${title}"
date: 2024-05-02
severity: SEV2
services: [cache]
---

## Issue Summary

It broke.

## Timeline

- 10:00 it broke

## Root Cause and Resolution

A cause.

## Corrective and Preventative Measures

- [ ] A fix
`;

/** A git repository with the history given: each commit by an author on a date, writing files. */
function repository(commits: Array<{ author: string; date: string; files: Record<string, string> }>): string {
  const dir = tempDir();
  const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, stdio: "pipe" });
  git("init", "-q", "-b", "main");
  for (const { author, date, files } of commits) {
    for (const [name, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), text);
    }
    git("add", "-A");
    execFileSync("git", ["commit", "-q", "-m", "change"], {
      cwd: dir,
      env: { ...process.env, GIT_AUTHOR_NAME: author, GIT_AUTHOR_EMAIL: `${author.split(" ")[0]}@example.com`, GIT_COMMITTER_NAME: author, GIT_COMMITTER_EMAIL: "c@example.com", GIT_AUTHOR_DATE: `${date}T12:00:00Z`, GIT_COMMITTER_DATE: `${date}T12:00:00Z` },
    });
  }
  return dir;
}

describe("git metadata", () => {
  it("reads each file's last change and contributors, most commits first, with one git log", async () => {
    const dir = repository([
      { author: "Ada Lovelace", date: "2024-05-03", files: { "content/2024/cache.md": postmortem("Cache"), "content/2024/dns.md": postmortem("DNS") } },
      { author: "Grace Hopper", date: "2024-05-10", files: { "content/2024/cache.md": postmortem("Cache, reviewed") } },
      { author: "Grace Hopper", date: "2024-06-01", files: { "content/2024/cache.md": postmortem("Cache, final") } },
    ]);
    const history = await readGitHistory(path.join(dir, "content"));
    expect(history?.shallow).toBe(false);
    const real = fs.realpathSync(dir);
    expect(history?.files.get(path.join(real, "content/2024/cache.md"))).toEqual({ updated: "2024-06-01", contributors: ["Grace Hopper", "Ada Lovelace"], repoPath: "content/2024/cache.md" });
    expect(history?.files.get(path.join(real, "content/2024/dns.md"))).toEqual({ updated: "2024-05-03", contributors: ["Ada Lovelace"], repoPath: "content/2024/dns.md" });
  });

  it("shows them on the postmortem's page with the edit link, and a file not yet committed has none", async () => {
    const dir = repository([{ author: "Ada Lovelace", date: "2024-05-03", files: { "content/2024/cache.md": postmortem("Cache") } }]);
    fs.writeFileSync(path.join(dir, "content/2024/new one.md"), postmortem("Not committed"));
    const result = await build({ root: dir, offline: true, editUrl: "https://git.example.com/org/repo/-/edit/main/{path}" });
    expect(result.ok).toBe(true);
    const page = fs.readFileSync(path.join(dir, "dist/postmortems/2024/cache/index.html"), "utf8");
    expect(page).toMatch(/<dt>Last updated<\/dt><dd><time datetime="2024-05-03">[^<]*2024[^<]*<\/time><\/dd>/);
    expect(page).toContain("<dt>Contributors</dt><dd>Ada Lovelace</dd>");
    expect(page).toContain('<a href="https://git.example.com/org/repo/-/edit/main/content/2024/cache.md" rel="nofollow">Edit this postmortem</a>');
    const fresh = fs.readFileSync(path.join(dir, "dist/postmortems/2024/new-one/index.html"), "utf8");
    expect(fresh).not.toContain("Last updated");
    expect(fresh).toContain("/edit/main/content/2024/new%20one.md");
    expect(result.notes).toEqual([]);
  });

  it("is skipped quietly outside a git checkout, and the edit link is relative to the project", async () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, "content"));
    fs.writeFileSync(path.join(dir, "content/cache.md"), postmortem("Cache"));
    expect(await readGitHistory(path.join(dir, "content"))).toBeUndefined();
    const result = await build({ root: dir, offline: true, editUrl: "https://example.com/edit/{path}" });
    expect(result.ok).toBe(true);
    const page = fs.readFileSync(path.join(dir, "dist/postmortems/cache/index.html"), "utf8");
    expect(page).not.toContain("Contributors");
    expect(page).toContain('href="https://example.com/edit/content/cache.md"');
  });

  it("says so when the clone is shallow", async () => {
    const origin = repository([
      { author: "Ada Lovelace", date: "2024-05-03", files: { "content/2024/cache.md": postmortem("Cache") } },
      { author: "Grace Hopper", date: "2024-05-10", files: { "content/2024/dns.md": postmortem("DNS") } },
    ]);
    const clone = path.join(tempDir(), "clone");
    execFileSync("git", ["clone", "-q", "--depth", "1", `file://${origin}`, clone], { stdio: "pipe" });
    const result = await build({ root: clone, offline: true });
    expect(result.notes.join("\n")).toMatch(/shallow.*fetch-depth: 0/);
  });

  it("encodes the path in the edit link, segment by segment", () => {
    expect(editLink("https://x.test/edit/{path}", "content/2024/a b#c.md")).toBe("https://x.test/edit/content/2024/a%20b%23c.md");
    expect(editLink(undefined, "a.md")).toBeUndefined();
  });
});
