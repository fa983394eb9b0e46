// Git repositories made for the tests of src/stages/git.ts: postmortems committed by given
// authors on given dates, and git directories planted as a pull request could add them.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { expect } from "vitest";
import { tempDir } from "../helpers.js";

export const postmortem = (title: string) => `---
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

export type Commit = { author: string; date: string; files?: Record<string, string>; signed?: boolean };

/** Runs git in a folder of a test (never the code under test). */
export function git(dir: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd: dir, stdio: "pipe", encoding: "utf8" });
}

/**
 * Commits everything in the folder. A signed commit carries a `gpgsig` header written by hand
 * (no key needed): showing it with its signature would run the configured gpg program.
 */
export function commitAll(dir: string, { author, date, signed = false }: Commit): void {
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
export function repository(commits: Commit[]): string {
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
export function spy(file: string): { marker: string } {
  const marker = path.join(tempDir(), "it-ran");
  fs.writeFileSync(file, `#!/bin/sh\necho "$0 $*" >> '${marker}'\ncat > /dev/null\n`, { mode: 0o755 });
  return { marker };
}

/**
 * Plants a git directory made of ordinary files (HEAD, objects/, refs/, config) in `target`,
 * holding one signed commit, as a pull request could add under content/.
 */
export function plantGitDir(target: string, config: string[]): void {
  const scratch = repository([{ author: "Mallory", date: "2024-01-01", files: { "a.md": "planted" }, signed: true }]);
  fs.mkdirSync(target, { recursive: true });
  for (const name of ["HEAD", "objects", "refs"]) fs.cpSync(path.join(scratch, ".git", name), path.join(target, name), { recursive: true });
  fs.writeFileSync(path.join(target, "config"), ["[core]", "\trepositoryformatversion = 0", "\tbare = false", ...config, ""].join("\n"));
}

/** The plant is live: git discovering from `dir` takes it for a repository and runs the program (which leaves `marker`). */
export function expectLive(dir: string, marker: string): void {
  git(dir, "log", "-1", "--format=%H");
  expect(fs.existsSync(marker)).toBe(true);
  fs.rmSync(marker);
}
