import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { build } from "../src/build.js";
import { resolveConfig } from "../src/config.js";
import { loadTheme } from "../src/theme.js";
import { listFiles, repoRoot, runCli, tempDir } from "./helpers.js";

/** A project with one postmortem of the starter archive (the tests read its page) and the theme files given. */
function project(themeFiles: Record<string, string>): string {
  const root = tempDir();
  fs.cpSync(path.join(repoRoot, "content", "2019"), path.join(root, "content", "2019"), { recursive: true });
  for (const [name, text] of Object.entries(themeFiles)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), text);
  }
  return root;
}

describe("themes", () => {
  it("lets a project override single layouts and assets of the default theme by file name", async () => {
    const root = project({
      "themes/default/layouts/404.eta": '<% layout("./layout") %><h1>Nothing at this address</h1>',
      "themes/default/assets/style.css": "body { color: rebeccapurple; }",
      "themes/default/assets/extra.txt": "an extra asset",
    });
    const result = await build({ root, offline: true });
    expect(result.ok).toBe(true);
    const dist = path.join(root, "dist");
    // The overriding 404 layout, inside the default theme's page layout.
    const notFound = fs.readFileSync(path.join(dist, "404.html"), "utf8");
    expect(notFound).toContain("<h1>Nothing at this address</h1>");
    expect(notFound).toContain('class="site-header"');
    const css = listFiles(dist).filter((f) => /^assets\/style\.[0-9a-f]{10}\.css$/.test(f));
    expect(css).toHaveLength(1);
    expect(fs.readFileSync(path.join(dist, css[0]!), "utf8")).toBe("body { color: rebeccapurple; }");
    expect(notFound).toContain(`href="/${css[0]}"`);
    // Everything else comes from the default theme.
    expect(listFiles(dist).some((f) => /^assets\/site\.[0-9a-f]{10}\.js$/.test(f))).toBe(true);
    expect(listFiles(dist).some((f) => /^assets\/extra\.[0-9a-f]{10}\.txt$/.test(f))).toBe(true);
    expect(fs.readFileSync(path.join(dist, "postmortems/2019/auth-service-outage/index.html"), "utf8")).toContain('class="facts"');
  });

  it("builds a named theme of the project on top of the default one, with --theme", () => {
    const root = project({ "themes/minimal/layouts/postmortem.eta": "<article><h1><%= it.pm.meta.title %></h1><%~ it.pm.html %></article>" });
    const result = runCli(["build", "--offline", "--theme", "minimal"], root);
    expect(result.code).toBe(0);
    const page = fs.readFileSync(path.join(root, "dist/postmortems/2019/auth-service-outage/index.html"), "utf8");
    expect(page.startsWith("<article><h1>")).toBe(true);
    expect(fs.readFileSync(path.join(root, "dist/index.html"), "utf8")).toContain('class="site-header"');
  });

  it("looks files up in the theme, then the default theme", () => {
    const root = project({ "themes/minimal/layouts/home.eta": "home" });
    expect(resolveConfig({ theme: "minimal" }, root).themeDirs).toEqual([path.join(root, "themes/minimal"), path.join(repoRoot, "themes/default")]);
    expect(resolveConfig({ theme: "./elsewhere" }, root).themeDirs).toEqual([path.join(root, "elsewhere"), path.join(repoRoot, "themes/default")]);
    expect(loadTheme(resolveConfig({ theme: "minimal" }, root).themeDirs).render("home", {})).toBe("home");
  });

  it("resolves an include from the file that includes it, each time, and refuses one outside the layouts every time", () => {
    const root = project({
      "themes/minimal/layouts/home.eta": `<%~ include("./part") %>|<%~ include("./sub/page") %>`,
      "themes/minimal/layouts/part.eta": "top",
      "themes/minimal/layouts/sub/page.eta": `<%~ include("./part") %>`,
      "themes/minimal/layouts/sub/part.eta": "nested",
      "themes/minimal/layouts/escape.eta": `<%~ include("../../../outside") %>`,
    });
    const theme = loadTheme(resolveConfig({ theme: "minimal" }, root).themeDirs);
    // The same path, "./part", is another file from sub/page.eta: resolved once per including file, not once.
    for (let i = 0; i < 3; i++) expect(theme.render("home", {})).toBe("top|nested");
    for (let i = 0; i < 2; i++) expect(() => theme.render("escape", {})).toThrow(/is not in the views directory/);
  });

  it("refuses a theme that does not exist, with exit code 2 and no stack trace", () => {
    const root = project({});
    const result = runCli(["build", "--offline", "--theme", "nonesuch"], root);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Theme not found: .*themes\/nonesuch is not a folder/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(fs.existsSync(path.join(root, "dist"))).toBe(false);
  });

  it("reports a broken layout as a theme problem naming the file", () => {
    const root = project({ "themes/default/layouts/home.eta": "<%= it.nope.deeper %>" });
    const result = runCli(["build", "--offline"], root);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Theme layout .*themes\/default\/layouts\/home\.eta failed: Cannot read properties of undefined \(reading 'deeper'\)/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(fs.existsSync(path.join(root, "dist"))).toBe(false);
  });
});

describe("CLI help", () => {
  it("has help for every command, with examples, and refuses an option the command does not take", () => {
    const cwd = tempDir();
    for (const command of ["build", "check", "dev", "new"]) {
      for (const args of command === "build"
        ? [
            ["help", command],
            [command, "--help"],
          ]
        : [[command, "--help"]]) {
        const result = runCli(args, cwd);
        expect(result.code).toBe(0);
        expect(result.stdout).toMatch(new RegExp(`^hindsight ${command}`));
        expect(result.stdout).toMatch(/Examples:\n {2}hindsight /);
      }
    }
    const stray = runCli(["check", "--drafts"], cwd);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain("Unexpected option --drafts for check");
    const unknown = runCli(["help", "deploy"], cwd);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown command: deploy");
  });
});
