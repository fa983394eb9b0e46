// `hindsight init` end to end, on copies of the real archives and of the seed, then check and
// build with the config it wrote. Its decisions on made-up documents: test/init/decide.test.ts.
import fs from "node:fs";
import path from "node:path";
import fg from "fast-glob";
import { describe, expect, it } from "vitest";
import { listFiles, runCli, sharedDir, tempDir, withoutThemeScripts } from "../helpers.js";
import { brokenLinks } from "../links.js";
import { searchOf } from "../search-of.js";
// ---- End to end, on copies of the real archives and of the seed ----------------------------

const real = path.join(sharedDir, "corpus", "real");
const seed = path.join(sharedDir, "seed", "000_1c7d0615a4075261.txt");
// Files every copy gets besides its postmortems: none of them may become a page.
const EXTRAS: Record<string, string> = {
  "README.md": "# Our postmortems\n\nOne file per incident, named by date.\n",
  "CHANGELOG.md": "# Changelog\n\n- Moved the archive.\n",
  "templates/postmortem-template.md": "# Title\n\n## Summary\n\n<!-- What happened? -->\n\n## Timeline\n\n- YYYY-MM-DD HH:MM <!-- event -->\n",
};

/** A copy of an archive (its `.cache` left behind) with the extra non-postmortems, in a fresh temp folder. */
function copyOf(name: string): string {
  const root = tempDir(`hindsight-init-${name}-`);
  if (name === "seed") fs.copyFileSync(seed, path.join(root, "postmortem.md"));
  else fs.cpSync(path.join(real, name), root, { recursive: true, filter: (src) => path.basename(src) !== ".cache" });
  for (const [file, text] of Object.entries(EXTRAS)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  }
  return root;
}

/** The postmortems of a copy: every .md/.markdown file but the extras. */
function postmortemFiles(root: string): string[] {
  return fg
    .sync("**/*.{md,markdown}", { cwd: root, ignore: ["node_modules/**", "dist/**"] })
    .filter((f) => !(f in EXTRAS))
    .sort();
}

/**
 * Where each archive stands today with `init` then `build --offline`. The target (issue 15) is
 * exit 0 for all of them; those still at 1 fail on real content that init's report names.
 * `meaningful`: init requires a section there, and deleting it from one postmortem must fail the check.
 */
const ARCHIVES: ReadonlyArray<{ name: string; builds: boolean; meaningful: boolean; why?: string }> = [
  { name: "seed", builds: true, meaningful: true },
  { name: "icco-postmortems-2023", builds: true, meaningful: false },
  { name: "icco-postmortems", builds: true, meaningful: false },
  { name: "dfds-postmortems", builds: true, meaningful: true },
  { name: "chia-post-mortem", builds: true, meaningful: true },
  { name: "posthog-post-mortems", builds: true, meaningful: true },
];

// The tests of an archive run in order on one copy: init, then build, then a postmortem broken.
describe.each(ARCHIVES)("hindsight init on $name", ({ name, builds, meaningful, why }) => {
  const root = copyOf(name);
  const configFile = path.join(root, "hindsight.config.json");
  let printed = "";

  it("--print writes nothing and prints the config", () => {
    const result = runCli(["init", "--print"], root);
    printed = result.stdout;
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(fs.existsSync(configFile)).toBe(false);
    expect(JSON.parse(result.stdout.slice(result.stdout.indexOf("\n{") + 1))).toHaveProperty("sections");
  }, 120_000);

  it("writes a config that leaves the readme, changelog and template out, and checks the archive with it", () => {
    const result = runCli(["init"], root);
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(
      /Left out 3 files: CHANGELOG\.md \(a changelog\), README\.md \(a readme\), templates\/postmortem-template\.md \(a template\)\./,
    );
    expect(result.stdout).toContain("Wrote hindsight.config.json. Checking the archive with it:");
    expect(result.code).toBe(builds ? 0 : 1);
    const config = JSON.parse(fs.readFileSync(configFile, "utf8")) as { content: string; include?: string[]; exclude?: string[] };
    const chosen = fg.sync(config.include ?? ["**/*.{md,markdown}"], { cwd: path.join(root, config.content), ignore: config.exclude ?? [] }).sort();
    expect(chosen).toEqual(postmortemFiles(root));
  }, 180_000);

  it("never overwrites the config without --force, and decides the same config again", () => {
    const before = fs.readFileSync(configFile, "utf8");
    const again = runCli(["init"], root);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("hindsight.config.json already exists: nothing written");
    expect(fs.readFileSync(configFile, "utf8")).toBe(before);
    fs.writeFileSync(configFile, "{}\n");
    const forced = runCli(["init", "--force"], root);
    expect(forced.code).toBe(builds ? 0 : 1);
    expect(fs.readFileSync(configFile, "utf8")).toBe(before);
    // A fresh copy elsewhere: byte for byte the same config.
    expect(runCli(["init", "--print"], copyOf(name)).stdout).toBe(printed);
  }, 240_000);

  if (builds) {
    it("builds offline: one page per postmortem and nothing else, every link working, no script of its own", () => {
      const result = runCli(["build", "--offline"], root);
      expect(result.code, result.stderr).toBe(0);
      const dist = path.join(root, "dist");
      // One page per postmortem, at any depth (a slug keeps the folders: 2021-05/…), besides the list.
      const pages = fg.sync("postmortems/**/index.html", { cwd: dist }).filter((p) => p !== "postmortems/index.html");
      expect(pages.length).toBe(postmortemFiles(root).length);
      // No in-page anchor is dead (`[1](#References)` reaches `## References`, as on GitHub).
      const dead = pages.flatMap((page) => {
        const html = fs.readFileSync(path.join(dist, page), "utf8");
        const targets = new Set([...html.matchAll(/\s(?:id|name)="([^"]+)"/g)].map((m) => m[1]));
        return [...html.matchAll(/href="#([^"]+)"/g)]
          .map((m) => decodeURIComponent(m[1]!))
          .filter((id) => !targets.has(id))
          .map((id) => `${page}#${id}`);
      });
      expect(dead).toEqual([]);
      // Every other link of every page resolves. Images are another stage's job, and a
      // site-absolute link the author wrote for their own website (`/community/profiles/1`) is theirs.
      const files = listFiles(dist).filter((f) => f !== "404.html");
      const broken = brokenLinks(dist, files).filter((l) => !/\.(png|jpe?g|gif|svg|webp)$/i.test(l.href) && !l.href.startsWith("/"));
      expect(broken).toEqual([]);
      for (const file of files.filter((f) => f.endsWith(".html"))) {
        expect(withoutThemeScripts(fs.readFileSync(path.join(dist, file), "utf8")), file).not.toMatch(/<script|\son[a-z]+=|javascript:/i);
      }
    }, 240_000);
  } else {
    it.todo(`builds offline with exit 0, one page per postmortem (not yet: ${why})`);
  }

  if (name === "icco-postmortems") {
    it("makes the taxonomies it found searchable: a company's name finds every postmortem its page lists", async () => {
      const { meta, titles } = await searchOf(path.join(root, "dist"));
      const companies = meta.facets.company!.values;
      expect(companies.length).toBeGreaterThan(50);
      let checked = 0;
      for (const [company, count] of companies) {
        // One word names it: a query for "Amazon Web Services" asks for more than the company.
        if (/\s/.test(company)) continue;
        const found = await titles(company);
        expect(found.length, company).toBeGreaterThanOrEqual(count);
        checked++;
      }
      expect(checked).toBeGreaterThan(40);
    });
  }

  if (meaningful) {
    it("keeps its checks meaningful: deleting the most common section from one postmortem is an error there", () => {
      type Written = { sections: Array<{ name: string; required?: boolean }>; overrides?: Array<{ files: string[] }> };
      const config = JSON.parse(fs.readFileSync(configFile, "utf8")) as Written;
      const section = config.sections.find((s) => s.required !== false)!.name;
      // Any postmortem but the few whose gaps init let through (overrides).
      const relaxed = new Set((config.overrides ?? []).flatMap((o) => o.files));
      const file = postmortemFiles(root).find(
        (f) => !relaxed.has(fg.escapePath(f)) && new RegExp(`^## ${section}\\s*$`, "m").test(fs.readFileSync(path.join(root, f), "utf8")),
      )!;
      const text = fs.readFileSync(path.join(root, file), "utf8");
      fs.writeFileSync(path.join(root, file), text.replace(new RegExp(`^## ${section}\\s*$`, "m"), `**${section}**`));
      const result = runCli(["check", "--format", "json"], root);
      expect(result.code).toBe(1);
      const report = JSON.parse(result.stdout) as Array<{ file: string; messages: Array<{ severity: string; ruleId: string; message: string }> }>;
      const messages = report.find((f) => f.file === file)!.messages;
      expect(messages).toContainEqual(expect.objectContaining({ severity: "error", ruleId: "sections/missing", message: `Missing section \`## ${section}\`` }));
    }, 240_000);
  }
});

describe("hindsight init, usage", () => {
  it("takes FOLDER as the content folder and never reads the output, cache, node_modules or dot-folders", () => {
    const root = tempDir();
    const story = (title: string) => `# ${title}\n\n## Summary\n\nIt broke.\n\n## Timeline\n\n- 10:00 it broke\n`;
    for (const [file, text] of Object.entries({
      "docs/incidents/2024-01-02-a.md": story("A"),
      "docs/incidents/2024-02-03-b.md": story("B"),
      "docs/incidents/2024-03-04-c.md": story("C"),
      "docs/incidents/node_modules/x/README.md": "# x",
      "docs/incidents/.drafts/c.md": story("C"),
      "dist/2024-01-02-a.md": story("A"),
      ".cache/d.md": story("D"),
      "docs/guide.md": "# Guide\n\nHow to write one.",
    })) {
      fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      fs.writeFileSync(path.join(root, file), text);
    }
    const given = runCli(["init", "docs/incidents", "--print"], root);
    expect(given.code).toBe(0);
    expect(given.stdout).toContain("Content folder: docs/incidents — 3 Markdown files, 3 postmortems.");
    // Without FOLDER: the folder that holds every postmortem; the guide is not one.
    const found = runCli(["init", "--print"], root);
    expect(found.stdout).toContain("Outside the content folder, not postmortems: docs/guide.md (unlike the postmortems");
    expect(found.stdout).toMatch(/"content": "docs\/incidents"/);
    expect(found.stdout).not.toMatch(/\.drafts|\.cache|node_modules|dist\//);
  });

  it("exits 2 when there is no postmortem, or too many arguments", () => {
    const root = tempDir();
    const none = runCli(["init"], root);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("Found no postmortem in .");
    expect(runCli(["init", "a", "b"], root).code).toBe(2);
    expect(fs.readdirSync(root)).toEqual([]);
  });
});
