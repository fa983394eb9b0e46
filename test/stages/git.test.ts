import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { build } from "../../src/build.js";
import { editLink, readGitHistory } from "../../src/stages/git.js";
import { runCli, tempDir } from "../helpers.js";

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

type Commit = { author: string; date: string; files?: Record<string, string>; signed?: boolean };

/** Runs git in a folder of a test (never the code under test). */
function git(dir: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd: dir, stdio: "pipe", encoding: "utf8" });
}

/**
 * Commits everything in the folder. A signed commit carries a `gpgsig` header written by hand
 * (no key needed): showing it with its signature would run the configured gpg program.
 */
function commitAll(dir: string, { author, date, signed = false }: Commit): void {
  const when = `${date}T12:00:00Z`;
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: author,
    GIT_AUTHOR_EMAIL: `${author.split(" ")[0]}@example.com`,
    GIT_COMMITTER_NAME: author,
    GIT_COMMITTER_EMAIL: "c@example.com",
    GIT_AUTHOR_DATE: when,
    GIT_COMMITTER_DATE: when,
  };
  git(dir, "add", "-A");
  if (!signed) {
    execFileSync("git", ["commit", "-q", "-m", "change"], { cwd: dir, env });
    return;
  }
  const tree = git(dir, "write-tree").trim();
  const parent = spawnSync("git", ["rev-parse", "--verify", "-q", "HEAD"], { cwd: dir, encoding: "utf8" }).stdout.trim();
  const stamp = `${Date.parse(when) / 1000} +0000`;
  const text = [
    `tree ${tree}`,
    ...(parent ? [`parent ${parent}`] : []),
    `author ${author} <${env.GIT_AUTHOR_EMAIL}> ${stamp}`,
    `committer ${author} <c@example.com> ${stamp}`,
    "gpgsig -----BEGIN PGP SIGNATURE-----",
    " ",
    " iQEzBAABCAAdFiEEbm90IGEgcmVhbCBzaWduYXR1cmU=",
    " -----END PGP SIGNATURE-----",
    "",
    "change",
    "",
  ].join("\n");
  const id = execFileSync("git", ["hash-object", "-w", "-t", "commit", "--stdin"], { cwd: dir, input: text, encoding: "utf8" }).trim();
  execFileSync("git", ["update-ref", "HEAD", id], { cwd: dir, env });
}

/** A git repository with the history given: each commit by an author on a date, writing files. */
function repository(commits: Commit[]): string {
  const dir = tempDir();
  git(dir, "init", "-q", "-b", "main");
  for (const commit of commits) {
    for (const [name, text] of Object.entries(commit.files ?? {})) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), text);
    }
    commitAll(dir, commit);
  }
  return dir;
}

/** A program that only records that it ran, in a marker file outside the project. */
function spy(file: string): { marker: string } {
  const marker = path.join(tempDir(), "it-ran");
  fs.writeFileSync(file, `#!/bin/sh\necho "$0 $*" >> '${marker}'\ncat > /dev/null\n`, { mode: 0o755 });
  return { marker };
}

/**
 * Plants a git directory made of ordinary files (HEAD, objects/, refs/, config) in `target`,
 * holding one signed commit, as a pull request could add under content/.
 */
function plantGitDir(target: string, config: string[]): void {
  const scratch = repository([{ author: "Mallory", date: "2024-01-01", files: { "a.md": "planted" }, signed: true }]);
  fs.mkdirSync(target, { recursive: true });
  for (const name of ["HEAD", "objects", "refs"]) fs.cpSync(path.join(scratch, ".git", name), path.join(target, name), { recursive: true });
  fs.writeFileSync(path.join(target, "config"), ["[core]", "\trepositoryformatversion = 0", "\tbare = false", ...config, ""].join("\n"));
}

/** The plant is live: git discovering from `dir` takes it for a repository and runs the program (which leaves `marker`). */
function expectLive(dir: string, marker: string): void {
  git(dir, "log", "-1", "--format=%H");
  expect(fs.existsSync(marker)).toBe(true);
  fs.rmSync(marker);
}

describe("git metadata", () => {
  it("reads each file's last change and contributors, most commits first, with one git log", async () => {
    const dir = repository([
      { author: "Ada Lovelace", date: "2024-05-03", files: { "content/2024/cache.md": postmortem("Cache"), "content/2024/dns.md": postmortem("DNS") } },
      { author: "Grace Hopper", date: "2024-05-10", files: { "content/2024/cache.md": postmortem("Cache, reviewed") } },
      { author: "Grace Hopper", date: "2024-06-01", files: { "content/2024/cache.md": postmortem("Cache, final") } },
    ]);
    const { history, notes } = await readGitHistory(path.join(dir, "content"), dir);
    expect(notes).toEqual([]);
    expect(history?.shallow).toBe(false);
    const real = fs.realpathSync(dir);
    expect(history?.files.get(path.join(real, "content/2024/cache.md"))).toEqual({
      updated: "2024-06-01",
      contributors: ["Grace Hopper", "Ada Lovelace"],
      repoPath: "content/2024/cache.md",
    });
    expect(history?.files.get(path.join(real, "content/2024/dns.md"))).toEqual({
      updated: "2024-05-03",
      contributors: ["Ada Lovelace"],
      repoPath: "content/2024/dns.md",
    });
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

  it("reaches the next build when commits change a file's history and not its text", async () => {
    const text = postmortem("Cache");
    const dir = repository([{ author: "Ada Lovelace", date: "2024-05-03", files: { "content/2024/cache.md": text } }]);
    const page = path.join(dir, "dist/postmortems/2024/cache/index.html");
    await build({ root: dir, offline: true });
    expect(fs.readFileSync(page, "utf8")).toContain("<dt>Contributors</dt><dd>Ada Lovelace</dd>");
    // Grace changes the file and changes it back: the text is the one built, its history is not.
    fs.writeFileSync(path.join(dir, "content/2024/cache.md"), `${text}\nA line.\n`);
    commitAll(dir, { author: "Grace Hopper", date: "2024-06-01" });
    fs.writeFileSync(path.join(dir, "content/2024/cache.md"), text);
    commitAll(dir, { author: "Grace Hopper", date: "2024-06-02" });
    expect((await build({ root: dir, offline: true })).ok).toBe(true);
    expect(fs.readFileSync(page, "utf8")).toMatch(/<time datetime="2024-06-02">.*<dt>Contributors<\/dt><dd>Grace Hopper, Ada Lovelace<\/dd>/s);
  });

  it("is skipped quietly outside a git checkout, and the edit link is relative to the project", async () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, "content"));
    fs.writeFileSync(path.join(dir, "content/cache.md"), postmortem("Cache"));
    expect(await readGitHistory(path.join(dir, "content"), dir)).toEqual({ history: undefined, notes: [] });
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

  it("finding 0: a git directory planted in the content folder runs nothing, in build() or the CLI", async () => {
    const dir = repository([{ author: "Ada Lovelace", date: "2024-05-03", files: { "content/2024/cache.md": postmortem("Cache") } }]);
    const content = path.join(dir, "content");
    // The pull request: only ordinary files under content/.
    plantGitDir(content, ["\tworktree = .", "[log]", "\tshowSignature = true", "[gpg]", "\tprogram = ./x.sh"]);
    const { marker } = spy(path.join(content, "x.sh"));
    commitAll(dir, { author: "Mallory", date: "2024-05-04" });
    expect(git(dir, "ls-files", "content")).toContain("content/objects/");
    expectLive(content, marker);

    const result = await build({ root: dir, offline: true });
    expect(result.ok).toBe(true);
    expect(fs.existsSync(marker)).toBe(false);
    const page = fs.readFileSync(path.join(dir, "dist/postmortems/2024/cache/index.html"), "utf8");
    expect(page).toContain("<dt>Contributors</dt><dd>Ada Lovelace</dd>");

    const cli = runCli(["build", "--offline"], dir);
    expect(cli.stderr).not.toMatch(/error/i);
    expect(cli.code).toBe(0);
    expect(fs.existsSync(marker)).toBe(false);
    expect(fs.readFileSync(path.join(dir, "dist/postmortems/2024/cache/index.html"), "utf8")).toContain("<dt>Contributors</dt><dd>Ada Lovelace</dd>");
  });

  it("ignores a .git file or folder inside the content folder, with a note, and runs nothing it names", async () => {
    const dir = repository([{ author: "Ada Lovelace", date: "2024-05-03", files: { "content/2024/cache.md": postmortem("Cache") } }]);
    const content = path.join(dir, "content");
    const elsewhere = path.join(tempDir(), "planted");
    const program = path.join(tempDir(), "x.sh");
    const { marker } = spy(program);
    const evil = ["[log]", "\tshowSignature = true", "[gpg]", `\tprogram = ${program}`, "[core]", `\tfsmonitor = ${program}`];
    plantGitDir(elsewhere, evil);
    fs.writeFileSync(path.join(content, ".git"), `gitdir: ${elsewhere}\n`);
    plantGitDir(path.join(content, "2024", ".git"), evil);
    expectLive(content, marker);

    const result = await build({ root: dir, offline: true });
    expect(result.ok).toBe(true);
    expect(fs.existsSync(marker)).toBe(false);
    expect(result.notes).toEqual([
      "Ignored content/.git: a .git inside the content folder is never used (its settings could run programs on the build machine).",
      "Ignored content/2024/.git: a .git inside the content folder is never used (its settings could run programs on the build machine).",
    ]);
    const page = fs.readFileSync(path.join(dir, "dist/postmortems/2024/cache/index.html"), "utf8");
    expect(page).toContain("<dt>Contributors</dt><dd>Ada Lovelace</dd>");
  });

  it("does not run a core.fsmonitor planted in a content-folder git config", async () => {
    const dir = repository([{ author: "Ada Lovelace", date: "2024-05-03", files: { "content/2024/cache.md": postmortem("Cache") } }]);
    const content = path.join(dir, "content");
    plantGitDir(content, ["\tworktree = .", "\tfsmonitor = ./fsmonitor.sh"]);
    const { marker } = spy(path.join(content, "fsmonitor.sh"));
    commitAll(dir, { author: "Mallory", date: "2024-05-04" });
    // The plant is live: a command that reads the index from content/ runs it.
    git(content, "status", "--short");
    expect(fs.existsSync(marker)).toBe(true);
    fs.rmSync(marker);

    const result = await build({ root: dir, offline: true });
    expect(result.ok).toBe(true);
    expect(fs.existsSync(marker)).toBe(false);
  });

  it("verifies no signature and runs no program named by the project's own git config", async () => {
    const dir = repository([{ author: "Ada Lovelace", date: "2024-05-03", files: { "content/2024/cache.md": postmortem("Cache") }, signed: true }]);
    const program = path.join(tempDir(), "x.sh");
    const { marker } = spy(program);
    for (const key of [
      "gpg.program",
      "gpg.openpgp.program",
      "gpg.x509.program",
      "gpg.ssh.program",
      "core.fsmonitor",
      "core.pager",
      "pager.log",
      "diff.external",
    ]) {
      git(dir, "config", key, program);
    }
    git(dir, "config", "log.showSignature", "true");
    const result = await build({ root: dir, offline: true });
    expect(result.ok).toBe(true);
    expect(fs.existsSync(marker)).toBe(false);
    const page = fs.readFileSync(path.join(dir, "dist/postmortems/2024/cache/index.html"), "utf8");
    expect(page).toContain("<dt>Contributors</dt><dd>Ada Lovelace</dd>");
  });

  it("finds the repository from a project root below its top, and from a worktree's .git file", async () => {
    const dir = repository([{ author: "Ada Lovelace", date: "2024-05-03", files: { "docs/content/2024/cache.md": postmortem("Cache") } }]);
    const worktree = path.join(tempDir(), "worktree");
    git(dir, "worktree", "add", "-q", worktree);
    for (const top of [dir, worktree]) {
      const root = path.join(top, "docs");
      const { history, notes } = await readGitHistory(path.join(root, "content"), root);
      expect(notes).toEqual([]);
      expect(history?.top).toBe(fs.realpathSync(top));
      expect(history?.files.get(path.join(fs.realpathSync(top), "docs/content/2024/cache.md"))).toEqual({
        updated: "2024-05-03",
        contributors: ["Ada Lovelace"],
        repoPath: "docs/content/2024/cache.md",
      });
    }
  });

  it("takes no history from a content folder outside the project's repository", async () => {
    const archive = repository([{ author: "Ada Lovelace", date: "2024-05-03", files: { "2024/cache.md": postmortem("Cache") } }]);
    const root = repository([{ author: "Grace Hopper", date: "2024-05-10", files: { "README.md": "project" } }]);
    const { history, notes } = await readGitHistory(archive, root);
    expect(history).toBeUndefined();
    expect(notes).toEqual([
      `Ignored ${path.relative(root, path.join(archive, ".git")).split(path.sep).join("/")}: a .git inside the content folder is never used (its settings could run programs on the build machine).`,
    ]);
  });

  it("encodes the path in the edit link, segment by segment", () => {
    expect(editLink("https://x.test/edit/{path}", "content/2024/a b#c.md")).toBe("https://x.test/edit/content/2024/a%20b%23c.md");
    expect(editLink(undefined, "a.md")).toBeUndefined();
  });
});
