// Content is untrusted and git runs programs that a repository's config names: a git directory
// planted in the content folder, or the project's own config, must run nothing (src/stages/git.ts).
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { build } from "../../src/build.js";
import { runCli, tempDir } from "../helpers.js";
import { commitAll, expectLive, git, plantGitDir, postmortem, repository, spy } from "./git-repo.js";

describe("git, over a content folder a pull request could fill", () => {
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
});
