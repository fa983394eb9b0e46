import fs from "node:fs";
import path from "node:path";
import fg from "fast-glob";
import { describe, expect, it } from "vitest";
import { classify } from "../src/init/classify.js";
import { decide, globsFor } from "../src/init/decide.js";
import { decideFields } from "../src/init/fields.js";
import { readDoc } from "../src/init/read.js";
import { decideSections, headingKey } from "../src/init/sections.js";
import { decideSeverities } from "../src/init/severity.js";
import { runCli, sharedDir, tempDir } from "./helpers.js";

const doc = (relPath: string, text: string) => readDoc(relPath, text);
const postmortem = (relPath: string, headings: string[], front = "") =>
  doc(relPath, `${front ? `---\n${front}\n---\n` : ""}# ${path.basename(relPath, ".md")}\n\n${headings.map((h) => `## ${h}\n\nSome text about it.\n`).join("\n")}`);

describe("init: telling postmortems from other Markdown", () => {
  const others = new Set(["2024-01-02-a.md", "2024-02-03-b.md", "c.md"]);
  const kind = (relPath: string, text: string) => classify(doc(relPath, text), others);

  it("knows readmes, changelogs, licences and contribution guides by name", () => {
    expect(kind("README.md", "# Postmortems\n\nWhat this is.")).toBe("readme");
    expect(kind("docs/CHANGELOG.md", "# Changes")).toBe("changelog");
    expect(kind("LICENSE.md", "MIT")).toBe("license");
    expect(kind("CONTRIBUTING.md", "# How to")).toBe("contributing");
  });

  it("knows templates by name, placeholders or prompts", () => {
    expect(kind("postmortem-template.md", "# Title\n\n## Summary\n\nA real-looking text.")).toBe("template");
    expect(kind("new.md", "# Title\n\nDate: YYYY-MM-DD\n\n## Summary\n\n<!-- What happened? -->\n")).toBe("template");
    expect(kind("blank.md", "# Title\n\n## Summary\n\n<!-- What happened? -->\n\n## Timeline\n\n<!-- When? -->\n")).toBe("template");
  });

  it("knows toctree pages (Sphinx, MyST) and pages that list the others", () => {
    expect(kind("index.md", "# Incidents\n\n```{toctree}\n:maxdepth: 1\n2024-01-02-a\n```\n")).toBe("toctree");
    expect(kind("index.md", "Incidents\n=========\n\n.. toctree::\n   a\n")).toBe("toctree");
    expect(kind("nav.md", "# All\n\n- [A](2024-01-02-a.md)\n- [B](2024-02-03-b.md)\n")).toBe("index");
  });

  it("keeps a postmortem that links to others, or mentions a date format in its text", () => {
    const story = "word ".repeat(200);
    expect(kind("2024-01-02-a.md", `# A\n\n## Summary\n\n${story} see [B](2024-02-03-b.md) and [C](c.md).\n\n## Timeline\n\n- 10:00 YYYY-MM-DD is the format`)).toBe("postmortem");
  });

  it("notes `##` sections with nothing under them, as sections/empty will", () => {
    const facts = doc("a.md", "# A\n\n## Summary\n\n## Timeline\n\n-\n\n## Lessons\n\n### Sub\n\n## Actions\n");
    expect(facts.emptyHeadings).toEqual(["Summary", "Actions"]);
  });

  it("leaves out a page unlike the postmortems when most look like one", () => {
    const docs = [
      ...["a", "b", "c"].map((name) => postmortem(`2024-01-0${name.charCodeAt(0) - 96}-${name}.md`, ["Summary", "Timeline"])),
      doc("glossary.md", "# Glossary\n\n## Terms\n\nSLO: a target."),
      doc("db-outage.md", "# The database outage\n\nIt went down."),
    ];
    const { leftOut, postmortems } = decide(docs, ".");
    expect(leftOut).toEqual([{ relPath: "glossary.md", kind: "unlike" }]);
    expect(postmortems.map((d) => d.relPath)).toContain("db-outage.md");
    // Too few postmortems to tell: everything is kept.
    expect(decide(docs.slice(2), ".").leftOut).toEqual([]);
  });

  it("reads setext headings as headings", () => {
    const facts = doc("a.md", "The outage\n==========\n\nText.\n\nTimeline\n--------\n\n- 10:00 it broke\n");
    expect(facts.h1).toBe("The outage");
    expect(facts.headings).toEqual(["Timeline"]);
  });
});

describe("init: sections from the headings", () => {
  it("groups headings by their key: brackets and punctuation after the name do not count", () => {
    expect(headingKey("Timeline (all times UTC )")).toBe("timeline");
    expect(headingKey("Contributing Factors (findings)")).toBe("contributing factors");
    expect(headingKey("Why did it happen?")).toBe("why did it happen");
  });

  it("requires what 80 % share, recognises what 20 % share, merges variants into aliases and gives roles", () => {
    const docs = [
      ...Array.from({ length: 8 }, (_, i) => postmortem(`${i}.md`, ["Summary", "Timeline (UTC)", "Root Cause Analysis", "Action Items", i < 3 ? "Stats" : "Notes and more notes"])),
      postmortem("8.md", ["Summary", "Timeline", "Root Cause", "Atendees"]),
      postmortem("9.md", ["Overview", "Timeline", "Root Cause", "Action Items"]),
    ];
    const sections = decideSections(docs);
    const byName = Object.fromEntries(sections.map((s) => [s.name, s]));
    expect(byName.Summary).toMatchObject({ aliases: ["Overview"], required: true, role: "summary", files: 10 });
    expect(byName.Timeline).toMatchObject({ required: true, role: "timeline", files: 10 });
    expect(byName["Root Cause Analysis"]).toMatchObject({ aliases: ["Root Cause"], required: true, role: "cause", files: 10 });
    expect(byName["Action Items"]).toMatchObject({ required: true, role: "actions", files: 9 });
    expect(byName.Stats).toMatchObject({ required: false, files: 3 });
    expect(byName["Notes and more notes"]).toMatchObject({ required: false, role: undefined });
    expect(byName["Action Items"]!.lacking).toEqual(["8.md"]);
    expect(sections.map((s) => s.name)).not.toContain("Atendees");
  });

  it("gives no sections to an archive without `##` headings", () => {
    expect(decideSections([doc("a.md", "---\ntitle: A\n---\nText."), doc("b.md", "Text.")])).toEqual([]);
  });
});

describe("init: fields, taxonomies and the severity scale", () => {
  it("maps known keys, requires what every file supplies, and makes shared terms taxonomies", () => {
    const docs = ["a", "b", "c"].map((name, i) =>
      doc(`${name}.md`, `---\ntitle: ${name}\nstart_time: 2024-0${i + 1}-01T10:00:00Z\naffected: [api]\ncompany: Acme\ncategories: [config-change, cloud]\nuuid: ${name}-1\nurl: https://x.example/${name}\n---\nText.`),
    );
    const fields = decideFields(docs);
    expect(fields.map).toEqual({ date: "start_time", services: "affected" });
    expect(fields.required).toEqual(["title", "date", "services"]);
    expect(fields.taxonomies).toEqual(["services", "categories", "company"]);
    expect(fields.rules).toEqual({});
  });

  it("takes titles from the `#` heading and turns off its warning when that is the archive's way", () => {
    const fields = decideFields([doc("2024-01-02-a.md", "# A\n\nText."), doc("2024-03-04-b.md", "# B\n\nText.")]);
    expect(fields.required).toEqual(["title", "date"]);
    expect(fields.rules).toEqual({ "title/fallback": "off" });
  });

  it("reads known severity words onto SEV1…SEV5, and uses unknown values as the scale", () => {
    const known = decideSeverities(["down", "degraded", "High", "low"]);
    expect(known.unknown).toEqual([]);
    expect(known.levels![0]).toEqual({ id: "SEV1", aliases: ["P1", "critical", "down"] });
    expect(known.levels![2]).toEqual({ id: "SEV3", aliases: ["P3", "medium", "moderate", "degraded"] });
    const mixed = decideSeverities(["purple", "High", "green"]);
    expect(mixed.levels!.map((l) => l.id)).toEqual(["High", "green", "purple"]);
    expect(decideSeverities([]).levels).toBeUndefined();
    // The defaults read them all: nothing to write.
    expect(decideSeverities(["High", "SEV2", "p3"]).levels).toBeUndefined();
  });

  it("takes severity words from labelled lines when frontmatter has none, known words only", () => {
    const docs = [
      doc("a.md", "# A\n\n**Severity**: Degraded (some users)\n\n## Summary\n\nText."),
      doc("b.md", "# B\n\n- **Severity**: Purple\n\n## Summary\n\nText."),
      doc("c.md", "# C\n\n## Level: down\n\nText."),
    ];
    expect(docs.map((d) => d.labelledSeverity)).toEqual(["Degraded (some users)", "Purple", "down"]);
    const severities = decide(docs, ".").config.severities as Array<{ id: string; aliases: string[] }>;
    expect(severities.map((l) => l.id)).toEqual(["SEV1", "SEV2", "SEV3", "SEV4", "SEV5"]);
    expect(severities[0]!.aliases).toContain("down");
    expect(severities[2]!.aliases).toContain("Degraded");
  });
});

describe("init: globs", () => {
  it("includes by a shared name prefix, or excludes each other file", () => {
    expect(globsFor(["PM2021-001 - A.md", "PM2022-002 - B.md"], ["README.md"])).toEqual({ include: ["**/PM*.md"], exclude: [] });
    expect(globsFor(["2024-01-02-a.md", "x/b.md"], ["README.md", "x/README.md", "x/template (old).md"])).toEqual({
      include: undefined,
      exclude: ["**/README.md", "x/template \\(old\\).md"],
    });
  });

  it("names in its report the postmortems that lack a section most have, and lets them through with overrides alone", () => {
    const docs = [
      ...["a", "b", "c", "d"].map((name) => postmortem(`${name}.md`, ["Summary", "Timeline"])),
      postmortem("e.md", ["Summary"]),
      doc("f.md", "# F\n\n## Summary\n\n## Timeline\n\nText."),
    ];
    const { report, config } = decide(docs, ".");
    expect(report).toContain("  ! 1 postmortem lacks Timeline, check warns about it: e.md (add the section, or set `required: false`).");
    expect(report).toContain("  ! 1 postmortem has Summary empty, check warns about it: f.md (write something under it, or remove the heading).");
    expect(config.overrides).toEqual([
      { files: ["f.md"], rules: { "sections/empty": "warn" } },
      { files: ["e.md"], rules: { "sections/missing": "warn" } },
    ]);
  });

  it("allows images outside the content folder but inside the project with images.roots", () => {
    const docs = [
      doc("2024/a.md", "# A\n\n![graph](../../_static/images/a.png)\n![b](../../_static/images/x/b.png)"),
      doc("2024/b.md", '# B\n\n<img src="../../_static/images/c.png"> ![here](d.png) ![web](https://x.example/e.png) ![out](../../../../f.png)'),
    ];
    expect(decide(docs, "docs/incidents").config.images).toEqual({ roots: ["docs/_static/images"] });
    expect(decide(docs, "docs/incidents").report).toContain("Images: 2 postmortems use images in docs/_static/images/, outside the content folder: allowed with images.roots.");
  });

  it("decides the same config for the same files", () => {
    const docs = [postmortem("a.md", ["Summary", "Timeline"]), postmortem("b.md", ["Timeline", "Summary"]), doc("README.md", "# Read me")];
    expect(JSON.stringify(decide(docs, ".").config)).toBe(JSON.stringify(decide([...docs].reverse().sort((a, b) => (a.relPath < b.relPath ? -1 : 1)), ".").config));
  });
});

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
  return fg.sync("**/*.{md,markdown}", { cwd: root, ignore: ["node_modules/**", "dist/**"] }).filter((f) => !(f in EXTRAS)).sort();
}

/**
 * Where each archive stands today with `init` then `build --offline`. The target (issue 15) is
 * exit 0 for all of them; those still at 1 fail on real content that init's report names.
 */
const ARCHIVES: ReadonlyArray<{ name: string; builds: boolean; why?: string }> = [
  { name: "seed", builds: true },
  { name: "icco-postmortems-2023", builds: true },
  { name: "icco-postmortems", builds: true },
  { name: "dfds-postmortems", builds: true },
  { name: "chia-post-mortem", builds: true },
  { name: "posthog-post-mortems", builds: true },
];

describe.each(ARCHIVES)("hindsight init on $name", ({ name, builds, why }) => {
  const root = copyOf(name);
  const configFile = path.join(root, "hindsight.config.json");

  it("--print writes nothing and prints the config", () => {
    const result = runCli(["init", "--print"], root);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(fs.existsSync(configFile)).toBe(false);
    expect(JSON.parse(result.stdout.slice(result.stdout.indexOf("\n{") + 1))).toHaveProperty("sections");
  }, 120_000);

  it("writes a config that leaves the readme, changelog and template out, and checks the archive with it", () => {
    const result = runCli(["init"], root);
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(/Left out 3 files: CHANGELOG\.md \(a changelog\), README\.md \(a readme\), templates\/postmortem-template\.md \(a template\)\./);
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
    const other = copyOf(name);
    expect(runCli(["init", "--print"], other).stdout).toBe(runCli(["init", "--print"], root).stdout);
  }, 240_000);

  if (builds) {
    it("builds offline: one page per postmortem and nothing else", () => {
      const result = runCli(["build", "--offline"], root);
      expect(result.code, result.stderr).toBe(0);
      // One page per postmortem, at any depth (a slug keeps the folders: 2021-05/…), besides the list.
      const pages = fg.sync("postmortems/**/index.html", { cwd: path.join(root, "dist") }).filter((p) => p !== "postmortems/index.html");
      expect(pages.length).toBe(postmortemFiles(root).length);
      // No in-page anchor is dead (`[1](#References)` reaches `## References`, as on GitHub).
      const dead = pages.flatMap((page) => {
        const html = fs.readFileSync(path.join(root, "dist", page), "utf8");
        const targets = new Set([...html.matchAll(/\s(?:id|name)="([^"]+)"/g)].map((m) => m[1]));
        return [...html.matchAll(/href="#([^"]+)"/g)].map((m) => decodeURIComponent(m[1]!)).filter((id) => !targets.has(id)).map((id) => `${page}#${id}`);
      });
      expect(dead).toEqual([]);
    }, 240_000);
  } else {
    it.todo(`builds offline with exit 0, one page per postmortem (not yet: ${why})`);
  }
});

describe("checks stay meaningful after init", () => {
  it.each(["seed", "dfds-postmortems", "chia-post-mortem", "posthog-post-mortems"])("deleting the most common section from one postmortem of %s is an error there", (name) => {
    const root = copyOf(name);
    expect(runCli(["init"], root).code).toBe(0);
    type Written = { sections: Array<{ name: string; required?: boolean }>; overrides?: Array<{ files: string[] }> };
    const config = JSON.parse(fs.readFileSync(path.join(root, "hindsight.config.json"), "utf8")) as Written;
    const section = config.sections.find((s) => s.required !== false)!.name;
    // Any postmortem but the few whose gaps init let through (overrides).
    const relaxed = new Set((config.overrides ?? []).flatMap((o) => o.files));
    const file = postmortemFiles(root).find((f) => !relaxed.has(fg.escapePath(f)) && new RegExp(`^## ${section}\\s*$`, "m").test(fs.readFileSync(path.join(root, f), "utf8")))!;
    const text = fs.readFileSync(path.join(root, file), "utf8");
    fs.writeFileSync(path.join(root, file), text.replace(new RegExp(`^## ${section}\\s*$`, "m"), `**${section}**`));
    const result = runCli(["check", "--format", "json"], root);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as Array<{ file: string; messages: Array<{ severity: string; ruleId: string; message: string }> }>;
    const messages = report.find((f) => f.file === file)!.messages;
    expect(messages).toContainEqual(expect.objectContaining({ severity: "error", ruleId: "sections/missing", message: `Missing section \`## ${section}\`` }));
  }, 240_000);
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
