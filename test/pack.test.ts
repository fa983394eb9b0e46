// Issue 15 §5: a team installs the packed package in its own repository (no file of this one),
// then `npx hindsight init` and `npx hindsight build` work on its archive as it is.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import fg from "fast-glob";
import { describe, expect, it } from "vitest";
import { repoRoot, sharedDir, tempDir } from "./helpers.js";

const npm = (args: string[], cwd: string) =>
  execFileSync("npm", [...args, "--no-audit", "--no-fund", "--prefer-offline"], { cwd, encoding: "utf8", stdio: "pipe" });

describe("the packed package in a team's own repository", () => {
  it("installs with npm, then init and build work on the archive as it is", () => {
    const packs = tempDir();
    // Without prepack, which would remake .build/ under the tests running beside this one
    // (`npm test` compiled it just before).
    npm(["pack", "--ignore-scripts", "--pack-destination", packs], repoRoot);
    const [tarball] = fs.readdirSync(packs).filter((f) => f.endsWith(".tgz"));
    // Only what a user runs: compiled code, the themes and the README; no test, no starter content.
    const listed = execFileSync("tar", ["tzf", path.join(packs, tarball!)], { encoding: "utf8" })
      .split("\n")
      .filter(Boolean);
    expect(listed).toContain("package/.build/cli.js");
    expect(listed).toContain("package/.build/stages/worker.js");
    // The browser's modules, which the builder and the dev server read from .build/ and serve.
    for (const file of ["client/search/search.js", "shared/search/format.js", "client/dev/client.js", "shared/dev/protocol.js"]) {
      expect(listed).toContain(`package/.build/${file}`);
    }
    expect(listed).toContain("package/themes/default/layouts/postmortem.eta");
    expect(listed.filter((f) => /^package\/(test|content|src)\//.test(f))).toEqual([]);

    const team = tempDir("hindsight-team-");
    fs.writeFileSync(path.join(team, "package.json"), JSON.stringify({ name: "team-incidents", private: true }));
    npm(["install", "--save-dev", path.join(packs, tarball!)], team);
    fs.cpSync(path.join(sharedDir, "corpus", "real", "dfds-postmortems"), path.join(team, "postmortems"), {
      recursive: true,
      filter: (src) => !src.includes(`${path.sep}.cache`),
    });
    const npx = (args: string[]) => spawnSync("npx", ["hindsight", ...args], { cwd: team, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });

    const init = npx(["init", "postmortems"]);
    expect(init.status, init.stderr).toBe(0);
    expect(fs.existsSync(path.join(team, "hindsight.config.json"))).toBe(true);
    const build = npx(["build", "--offline"]);
    expect(build.status, build.stderr).toBe(0);
    const files = fg.sync("**/*.md", { cwd: path.join(team, "postmortems") });
    const pages = fg.sync("postmortems/**/index.html", { cwd: path.join(team, "dist") }).filter((p) => p !== "postmortems/index.html");
    expect(pages).toHaveLength(files.length);
  }, 600_000);
});
