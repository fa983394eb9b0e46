import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { build } from "../../src/build.js";
import { editLink, readGitHistory } from "../../src/stages/git.js";
import { tempDir } from "../helpers.js";
import { commitAll, git, postmortem, repository } from "./git-repo.js";

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
