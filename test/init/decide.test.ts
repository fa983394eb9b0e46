// init's decisions, on made-up documents: which files are postmortems, which sections, fields,
// taxonomies, severity scale and globs it chooses. End to end on the real archives: test/init/init.test.ts.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { classify } from "../../src/init/classify.js";
import { decide, globsFor } from "../../src/init/decide.js";
import { decideFields } from "../../src/init/fields.js";
import { readDoc } from "../../src/init/read.js";
import { decideSections, headingKey } from "../../src/init/sections.js";
import { decideSeverities } from "../../src/init/severity.js";

const doc = (relPath: string, text: string) => readDoc(relPath, text);
const postmortem = (relPath: string, headings: string[], front = "") =>
  doc(
    relPath,
    `${front ? `---\n${front}\n---\n` : ""}# ${path.basename(relPath, ".md")}\n\n${headings.map((h) => `## ${h}\n\nSome text about it.\n`).join("\n")}`,
  );

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
    expect(
      kind("2024-01-02-a.md", `# A\n\n## Summary\n\n${story} see [B](2024-02-03-b.md) and [C](c.md).\n\n## Timeline\n\n- 10:00 YYYY-MM-DD is the format`),
    ).toBe("postmortem");
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
      ...Array.from({ length: 8 }, (_, i) =>
        postmortem(`${i}.md`, ["Summary", "Timeline (UTC)", "Root Cause Analysis", "Action Items", i < 3 ? "Stats" : "Notes and more notes"]),
      ),
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
      doc(
        `${name}.md`,
        `---\ntitle: ${name}\nstart_time: 2024-0${i + 1}-01T10:00:00Z\naffected: [api]\ncompany: Acme\ncategories: [config-change, cloud]\nuuid: ${name}-1\nurl: https://x.example/${name}\n---\nText.`,
      ),
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

  it("makes `tags` one taxonomy however many postmortems use it (regression: listed twice, a config check refused)", () => {
    const docs = ["a", "b", "c"].map((name) => doc(`${name}.md`, `---\ntitle: ${name}\ntags: [db, network]\n---\nText.`));
    expect(decideFields(docs).taxonomies).toEqual(["tags"]);
  });

  it("reads a title or date that is a mapping as no text: `String()` of `{toString: 1}` threw", () => {
    const titled = ["a", "b", "c", "d"].map((name) => doc(`${name}.md`, `---\ntitle: {toString: 1}\n---\n# ${name}\n\nText.`));
    expect(decide(titled, ".").postmortems).toHaveLength(4);
    const dated = ["a", "b", "c"].map((name) => doc(`${name}.md`, `---\ntitle: ${name}\ndate: {toString: 1}\n---\nText.`));
    expect(decideFields(dated).outOfRange).toEqual([]);
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

  it("says that postmortems named by an id, with no title, are titled by their first sentence", () => {
    const text = "---\ncompany: Acme\n---\n\nThe queue stalled for an hour.\n\n## Summary\n\nIt stalled.\n";
    const docs = [
      doc("01494547-7ee9-4169-a0c0-d921fa309d83.md", text),
      doc("3f2a9c1e5b7d.md", text),
      doc("queue-stall.md", text),
      doc("1234.md", `# A heading\n\n${text.slice(text.indexOf("The"))}`),
    ];
    expect(decide(docs, ".").report).toContain(
      "  2 postmortems named by an id (a UUID, a hash or a number) and with no title: each is titled by its first sentence.",
    );
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
    expect(decide(docs, "docs/incidents").report).toContain(
      "Images: 2 postmortems use images in docs/_static/images/, outside the content folder: allowed with images.roots.",
    );
  });

  it("decides the same config for the same files", () => {
    const docs = [postmortem("a.md", ["Summary", "Timeline"]), postmortem("b.md", ["Timeline", "Summary"]), doc("README.md", "# Read me")];
    expect(JSON.stringify(decide(docs, ".").config)).toBe(
      JSON.stringify(
        decide(
          [...docs].reverse().sort((a, b) => (a.relPath < b.relPath ? -1 : 1)),
          ".",
        ).config,
      ),
    );
  });
});
