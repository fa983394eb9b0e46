import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/config.js";
import { ProjectWatcher, type ChangeKind } from "../../src/dev/watcher.js";
import { writeFile } from "../e2e/dev-fixture.js";
import { tempDir } from "../helpers.js";

// The dev watcher on its own: what it reports for each kind of file, and what it leaves alone.
let watcher: ProjectWatcher | undefined;

afterEach(async () => {
  await watcher?.close();
  watcher = undefined;
});

/** Watches a project; the changes reported inside it, as `kind relPath`, in order. */
async function watchProject(project: string, user: Parameters<typeof resolveConfig>[0] = {}) {
  const seen: string[] = [];
  const errors: Error[] = [];
  watcher = new ProjectWatcher(project, undefined, {
    // The bundled theme is watched too, and may be edited meanwhile: only this project counts.
    onChange: (file: string, kind: ChangeKind) => {
      if (file.startsWith(project + path.sep)) seen.push(`${kind} ${path.relative(project, file).split(path.sep).join("/")}`);
    },
    onError: (error) => errors.push(error),
  });
  await watcher.follow(resolveConfig(user, project));
  return { seen, errors };
}

const write = (project: string, relPath: string, contents = "x") => writeFile(project, relPath, contents);

describe("the dev watcher", () => {
  it("reports postmortems, images, theme files, public files and the config, each with its kind", async () => {
    const project = tempDir();
    write(project, "content/2024/a.md");
    write(project, "themes/default/layouts/base.eta");
    fs.mkdirSync(path.join(project, "public"));
    const { seen, errors } = await watchProject(project);
    write(project, "content/2024/a.md", "changed");
    write(project, "content/2024/diagram.png");
    write(project, "content/2024/notes.txt");
    write(project, "themes/default/layouts/base.eta", "changed");
    write(project, "public/robots.txt");
    write(project, "public/logo.svg");
    write(project, "hindsight.config.json", "{}");
    // A file may be reported twice (a write is more than one event): the queue's debounce joins them.
    await expect
      .poll(() => [...new Set(seen)].sort(), { timeout: 5000 })
      .toEqual([
        "asset content/2024/diagram.png",
        "asset public/logo.svg",
        "config hindsight.config.json",
        "postmortem content/2024/a.md",
        "theme public/robots.txt",
        "theme themes/default/layouts/base.eta",
      ]);
    expect(errors).toEqual([]);
  });

  it("leaves out the output and cache folders, .git, node_modules, dot-files and backups, even with the content at the root", async () => {
    const project = tempDir();
    write(project, "2024/a.md");
    const { seen } = await watchProject(project, { content: "." });
    for (const relPath of [
      "dist/postmortems/a.md",
      ".cache/records/a.md",
      ".git/a.md",
      "node_modules/pkg/README.md",
      "2024/.a.md.swp",
      "2024/a.md~",
      ".hidden/b.md",
    ]) {
      write(project, relPath);
    }
    write(project, "2024/b.md");
    await expect.poll(() => seen, { timeout: 5000 }).toContain("postmortem 2024/b.md");
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(new Set(seen)).toEqual(new Set(["postmortem 2024/b.md"]));
  });

  it("reports a delete, and both names of a rename", async () => {
    const project = tempDir();
    write(project, "content/2024/a.md");
    write(project, "content/2024/b.md");
    const { seen } = await watchProject(project);
    fs.renameSync(path.join(project, "content/2024/a.md"), path.join(project, "content/2024/c.md"));
    fs.rmSync(path.join(project, "content/2024/b.md"));
    await expect
      .poll(() => [...new Set(seen)].sort(), { timeout: 5000 })
      .toEqual(["postmortem content/2024/a.md", "postmortem content/2024/b.md", "postmortem content/2024/c.md"]);
  });

  it("watches a public folder that appears after it started, and a theme folder the config moves to", async () => {
    const project = tempDir();
    write(project, "content/2024/a.md");
    const { seen } = await watchProject(project);
    write(project, "public/logo.png");
    await expect.poll(() => seen, { timeout: 5000 }).toContain("asset public/logo.png");

    write(project, "site-theme/layouts/base.eta");
    await watcher!.follow(resolveConfig({ theme: "./site-theme" }, project));
    // A folder first watched after a build read it is reported whole: a change before its scan ended was not seen.
    expect(seen).toContain("theme site-theme");
    write(project, "site-theme/layouts/base.eta", "changed");
    await expect.poll(() => seen, { timeout: 5000 }).toContain("theme site-theme/layouts/base.eta");
  });
});
