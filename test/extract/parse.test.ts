// Metadata read from the text as a user meets it: through parse (info messages at their places,
// lenient dates, fields.map), check and every report format, on the seed and the real archives.
// Each extractor on its own: test/extract/extract.test.ts.
import fs from "node:fs";
import path from "node:path";
import fg from "fast-glob";
import { describe, expect, it } from "vitest";
import { check } from "../../src/check.js";
import { resolveConfig, type UserConfig } from "../../src/config.js";
import { makeStrict } from "../../src/project.js";
import { formatGithub, formatJson, formatStylish } from "../../src/report/index.js";
import type { JsonMessage } from "../../src/report/json.js";
import { parse } from "../../src/stages/parse.js";
import { severityOf } from "../../src/util/messages.js";
import { parseDate, parseLenientInstant } from "../../src/util/time.js";
import type { PostmortemMeta } from "../../src/types.js";
import { parseText, sharedDir, tempDir } from "../helpers.js";

const infos = (pm: ReturnType<typeof parseText>) =>
  pm.file.messages.filter((m) => severityOf(m) === "info").map((m) => `${m.line}:${m.column} ${m.ruleId} ${m.reason}`);

describe("lenient date-times", () => {
  it.each([
    ["2020-12-07T8:00:00", "2020-12-07T08:00:00Z"],
    ["2020-12-07 8:00", "2020-12-07T08:00:00Z"],
    ["2020-12-07 13:00:00 UTC", "2020-12-07T13:00:00Z"],
    ["2020-12-07 13:00 +0100", "2020-12-07T12:00:00Z"],
    ["2020/12/7", "2020-12-07"],
  ])("reads %s as %s", (text, iso) => expect(parseLenientInstant(text)?.iso).toBe(iso));

  it.each(["2020-12-32", "yesterday", "2020-12-07T25:00"])("refuses %s", (text) => expect(parseLenientInstant(text)).toBeUndefined());

  it("reads a loose frontmatter date with a warning at its value, and the rules see the ISO date", () => {
    const pm = parseText("---\ndate: 2020-12-07T8:00:00\n---\n");
    expect(pm.meta.date).toBe("2020-12-07T08:00:00Z");
    expect(pm.file.messages.map((m) => `${m.line}:${m.column} ${severityOf(m)} ${m.ruleId}`)).toEqual(["2:7 warning date/lenient"]);
  });
});

describe("metadata from the text in a postmortem", () => {
  const body =
    "# 2017-09-27, Hub 403\n\n**Severity**: High\n**Services**: hub\n\n## Issue Summary\n\n- **Duration**: 38 minutes\n- **Impact**: pulls failed\n\n## Timeline\n\n- 2017-09-26 23:00 deploy\n\n## Authors\n\n- Jane Doe\n";

  it("fills what the frontmatter lacks, each value with an info message at its place", () => {
    const pm = parseText(body, "hub.md");
    expect(pm.meta).toMatchObject({
      date: "2017-09-27",
      severity: "SEV2",
      services: ["hub"],
      durationMinutes: 38,
      impact: "pulls failed",
      authors: ["Jane Doe"],
      summary: "Impact: pulls failed.",
    });
    expect(pm.meta.fromText).toEqual(expect.arrayContaining(["date", "severity", "services", "duration", "impact", "authors", "summary"]));
    expect(infos(pm).map((m) => m.split(" ").slice(0, 2).join(" "))).toEqual([
      "1:1 extract/date-from-title",
      "3:1 extract/labelled-lines",
      "4:1 extract/labelled-lines",
      "8:1 extract/summary-list",
      "8:3 extract/labelled-lines",
      "9:3 extract/labelled-lines",
      "17:1 extract/authors",
    ]);
  });

  it("prefers the frontmatter, and says nothing then", () => {
    const pm = parseText(
      `---\ndate: 2024-01-01\nseverity: SEV4\nservices: [api]\nduration: 2h\nimpact: none\nauthors: [Kim]\nsummary: Short.\n---\n${body}`,
      "hub.md",
    );
    expect(pm.meta).toMatchObject({
      date: "2024-01-01",
      severity: "SEV4",
      services: ["api"],
      durationMinutes: 120,
      impact: "none",
      authors: ["Kim"],
      summary: "Short.",
    });
    expect(infos(pm)).toEqual([]);
  });

  it("leaves a duration that `started` and `resolved` give alone (regression: the starter archive's seed copy)", () => {
    const pm = parseText(`---\nstarted: 2017-09-27T10:00:00Z\nresolved: 2017-09-27T11:00:00Z\n---\n${body}`, "hub.md");
    expect(pm.meta.durationMinutes).toBe(60);
    expect(pm.meta.fromText).not.toContain("duration");
    expect(infos(pm).filter((m) => m.includes("`duration`"))).toEqual([]);
  });

  it("prefers a file-name date to the title's, and the title's to the timeline's", () => {
    expect(parseText(body, "2017-09-28-hub.md").meta.date).toBe("2017-09-28");
    expect(parseText(body.replace("2017-09-27, ", ""), "hub.md").meta.date).toBe("2017-09-26");
  });

  it("switches each extractor off with `extract`", () => {
    const off: UserConfig = {
      extract: {
        "date-from-title": false,
        "date-from-timeline": false,
        "date-from-text": false,
        "labelled-lines": false,
        authors: false,
        "summary-list": false,
      },
    };
    const pm = parseText(body, "hub.md", off);
    expect(pm.meta).toMatchObject({
      date: undefined,
      severity: undefined,
      services: [],
      durationMinutes: undefined,
      impact: undefined,
      authors: [],
      summary: undefined,
      fromText: [],
    });
    expect(infos(pm)).toEqual([]);
    expect(parseText("# T\n", "2017-10-17-x.md", { extract: { "date-from-path": false } }).meta.date).toBeUndefined();
  });

  it("counts values from the text as given for `fields.required`, and leaves a severity off the scale out", async () => {
    const root = tempDir();
    fs.writeFileSync(path.join(root, "hub.md"), body.replace("**Severity**: High", "## Level: Internal"));
    const result = await check({ root, content: ".", cache: false, sections: [] });
    expect(result.files[0]!.messages.filter((m) => m.fatal).map((m) => m.reason)).toEqual(["Missing required field `severity`"]);
  });
});

describe("fields.map", () => {
  const text =
    "---\ntitle: Status page incident\nstart_time: 2020-12-07T08:00:00Z\nresolved: true\nresolvedWhen: 2020-12-07T09:30:00Z\naffected: [api, web]\n---\n";
  const map = { fields: { map: { date: "start_time", resolved: "resolvedWhen", services: "affected" } } };

  it("reads a field from another key, keeping the key", () => {
    const pm = parseText(text, "a.md", map);
    expect(pm.meta).toMatchObject({ date: "2020-12-07T08:00:00Z", services: ["api", "web"], timeToResolve: 90 });
    expect(pm.meta.data).toMatchObject({
      start_time: "2020-12-07T08:00:00Z",
      date: "2020-12-07T08:00:00Z",
      resolved: "2020-12-07T09:30:00Z",
      affected: ["api", "web"],
    });
    expect(pm.places.get("date")).toEqual(pm.places.get("start_time"));
  });

  it("lets the rules check the mapped values, at the mapped key's place", async () => {
    const root = tempDir();
    fs.writeFileSync(path.join(root, "a.md"), text.replace("2020-12-07T08:00:00Z", "not a date").replace("title:", "severity: SEV2\ntitle:"));
    const result = await check({ root, content: ".", cache: false, sections: [], ...map });
    expect(result.files[0]!.messages.map((m) => `${m.line}:${m.column} ${m.ruleId}`)).toEqual(["4:13 frontmatter/date"]);
  });
});

describe("info messages in reports", () => {
  const file = () => parseText("# T\n", "2017-10-17-x.md", { fields: { required: [] } }).file;

  it("are shown as info in every format, and never fail a build, under --strict neither", () => {
    const f = file();
    const cwd = path.dirname(f.path);
    expect(formatStylish([f], { cwd })).toMatch(/1:1 {5}info {5}Missing `date`, using 2017-10-17 from the file name {2}extract\/date-from-path/);
    const [report] = JSON.parse(formatJson([f], { cwd })) as { errorCount: number; warningCount: number; infoCount: number; messages: JsonMessage[] }[];
    expect(report).toMatchObject({ errorCount: 0, warningCount: 1, infoCount: 1 });
    expect(report?.messages.map((m) => `${m.severity} ${m.ruleId}`)).toContain("info extract/date-from-path");
    expect(formatGithub([f], { cwd })).toMatch(/^::notice file=2017-10-17-x\.md,line=1,col=1,title=extract\/date-from-path::Missing `date`/m);
    makeStrict([f]);
    expect(f.messages.map((m) => severityOf(m)).sort()).toEqual(["error", "info"]);
  });

  it("leave a check ok", async () => {
    const root = tempDir();
    fs.writeFileSync(path.join(root, "2017-10-17-x.md"), "---\ntitle: T\nseverity: SEV2\nservices: [a]\n---\n");
    const result = await check({ root, content: ".", cache: false, sections: [], strict: true });
    expect(result.files[0]!.messages.map(severityOf)).toEqual(["info"]);
    expect(result.ok).toBe(true);
  });
});

describe("the seed and the real archives", () => {
  it("reads the seed's bold-labelled bullets as its duration and impact", () => {
    const text = fs.readFileSync(path.join(sharedDir, "seed", "000_1c7d0615a4075261.txt"), "utf8");
    const pm = parseText(text, "seed.md");
    expect(pm.meta.durationMinutes).toBe(240);
    expect(pm.meta.impact).toMatch(/^The authentication service was down/);
    expect(pm.meta.summary).toMatch(/^Impact: The authentication service was down/);
    expect(pm.meta.severity).toBeUndefined();
  });

  // Files whose name or text has a date, of each archive (`fields.map` where the date is under another key).
  const archives: [string, UserConfig, number, number | ((metas: readonly PostmortemMeta[]) => number)][] = [
    ["chia-post-mortem", {}, 31, 31], // every name: `2021-05-09-…`, or `2023-04/04-25-…`
    ["dfds-postmortems", {}, 38, 37], // the first timeline row; one has only `20202-01-16` typos
    ["posthog-post-mortems", {}, 7, 7], // names; one says `**Date:** January 14-19, 2026`
    // Each `start_time` in the years an archive holds (169 are written; 1628 and 1969 among them); 9 more say it in their first paragraph (`On June 8, 2023, …`).
    [
      "icco-postmortems",
      { fields: { required: [], map: { date: "start_time" } } },
      242,
      (metas) => 9 + metas.filter((meta) => parseDate(meta.data.start_time)).length,
    ],
    ["icco-postmortems-2023", { fields: { required: [] } }, 243, 26], // prose only: the 26 whose opening says a whole date
  ];

  // What check reports is what parse says, in the workers (agreement.test.ts runs check itself over each archive).
  it.each(archives)("%s: reads a date for every postmortem that has one, and says where each one from the text came from", (folder, user, files, dated) => {
    const content = path.join(sharedDir, "corpus", "real", folder);
    const rels = fg.sync("**/*.{md,markdown}", { cwd: content, ignore: [".cache/**"] });
    expect(rels).toHaveLength(files);
    const config = resolveConfig({ ...user, sections: [] }, content);
    const parsed = rels.map((rel) => parse({ path: path.join(content, rel), relPath: rel, text: fs.readFileSync(path.join(content, rel), "utf8") }, config));
    const metas = parsed.map((pm) => pm.meta);
    expect(metas.filter((meta) => meta.date !== undefined)).toHaveLength(typeof dated === "number" ? dated : dated(metas));
    // An info message at each date read from the text, and none for a date from the frontmatter.
    const noted = parsed.filter((pm) => pm.file.messages.some((m) => severityOf(m) === "info" && m.reason.startsWith("Missing `date`")));
    expect(noted.map((pm) => pm.source.relPath)).toEqual(parsed.filter((pm) => pm.meta.fromText.includes("date")).map((pm) => pm.source.relPath));
  });
});
