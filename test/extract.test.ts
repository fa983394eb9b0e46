import fs from "node:fs";
import path from "node:path";
import fg from "fast-glob";
import { describe, expect, it } from "vitest";
import { check } from "../src/check.js";
import { DEFAULT_SECTIONS } from "../src/config-defaults.js";
import { resolveConfig, type UserConfig } from "../src/config.js";
import { authorsFromSection } from "../src/extract/authors.js";
import { dateFromPath } from "../src/extract/date-from-path.js";
import { dateFromText } from "../src/extract/date-from-text.js";
import { dateFromTimeline } from "../src/extract/date-from-timeline.js";
import { dateFromTitle } from "../src/extract/date-from-title.js";
import { labelledLines, parseWrittenDuration, splitNames } from "../src/extract/labelled-lines.js";
import { summaryFromBody } from "../src/extract/summary.js";
import { makeStrict } from "../src/project.js";
import { formatGithub, formatJson, formatStylish } from "../src/report/index.js";
import { parse } from "../src/stages/parse.js";
import { severityOf } from "../src/util/messages.js";
import { parseDate, parseLenientInstant } from "../src/util/time.js";
import type { PostmortemMeta } from "../src/types.js";
import { parseText, sharedDir, tempDir } from "./helpers.js";

const treeOf = (text: string) => parseText(text).tree;
const infos = (pm: ReturnType<typeof parseText>) =>
  pm.file.messages.filter((m) => severityOf(m) === "info").map((m) => `${m.line}:${m.column} ${m.ruleId} ${m.reason}`);

describe("date-from-path", () => {
  it.each([
    ["2017-10-17-cluster-full.md", "2017-10-17", "day", "the file name"],
    ["2021-05/2021-05-09-negative-coin-values.md", "2021-05-09", "day", "the file name"],
    ["2021-05-03/notes.md", "2021-05-03", "day", "the folder `2021-05-03`"],
    ["2023-04/04-25-User_Account_Compromise.md", "2023-04-25", "day", "the folder `2023-04` and the file name"],
    ["2021-05/outage.md", "2021-05-01", "month", "the folder `2021-05` (the month: the day is not given)"],
  ])("%s → %s", (relPath, value, precision, from) => {
    expect(dateFromPath(relPath)).toEqual({ value, place: undefined, precision, from });
  });

  it.each(["outage.md", "2024-02-30-leap.md", "PM2020-002 - KIAM.md", "20240210-x.md"])("finds no date in %s", (relPath) => {
    expect(dateFromPath(relPath)).toBeUndefined();
  });
});

describe("date-from-title", () => {
  it.each([
    ["2017-09-27, Hub 403", "2017-09-27"],
    ["2017-09-27: Hub 403", "2017-09-27"],
    ["2017-09-27", "2017-09-27"],
    ["January 14, 2026 - SDK wrapper", "2026-01-14"],
    ["14 Jan 2026: SDK wrapper", "2026-01-14"],
  ])("%s → %s", (title, iso) => expect(dateFromTitle(title)).toBe(iso));

  it.each(["Hub 403", "2017-09-270 errors", "2017-13-01, bad month", "Outage of 2017-09-27"])("finds no date in %s", (title) => {
    expect(dateFromTitle(title)).toBeUndefined();
  });
});

describe("date-from-timeline", () => {
  it("takes the day of the first dated table row, at its cell", () => {
    const tree = treeOf("## Timeline\n\nAll times in CET.\n\n| Time | Event |\n| --- | --- |\n| HH:mm | not yet |\n| 2020-01-21 15:36 | expires |\n| 2020-01-22 | later |\n");
    expect(dateFromTimeline(tree, DEFAULT_SECTIONS)).toEqual({ value: "2020-01-21", place: { line: 8, column: 1, offset: expect.any(Number) } });
  });

  it("takes a dated list item, under a heading named Timeline even when no section plays the role", () => {
    const tree = treeOf("## Summary\n\n- 2019-01-01 not the timeline\n\n### Timeline (UTC)\n\n- 09:00 page\n- **Jan 14, 2026** 10:18 report\n");
    expect(dateFromTimeline(tree, [])).toMatchObject({ value: "2026-01-14", place: { line: 8, column: 1 } });
  });

  it("reads the section playing the timeline role, by its configured name", () => {
    const sections = resolveConfig({ sections: [{ name: "Chronology", role: "timeline" }] }, "/p").sections;
    expect(dateFromTimeline(treeOf("## Chronology\n\n- 2022-03-07 00:00 committed\n"), sections)?.value).toBe("2022-03-07");
    expect(dateFromTimeline(treeOf("## Details\n\n- 2022-03-07 00:00 committed\n"), sections)).toBeUndefined();
  });
});

describe("date-from-text", () => {
  it.each([
    ["On January 24, 2023, services became unavailable.", "2023-01-24"],
    ["Degraded on Thursday August 11 2016 for 1.5 hours.", "2016-08-11"],
    ["On Tuesday, 19 July 2022 at 10:00, 2021-01-01 was not the day.", "2022-07-19"],
    ["On Wednesday, 2023-01-25, a deploy failed.", "2023-01-25"],
    ["Around May 4th 2019 add-ons stopped working.", "2019-05-04"],
  ])("%s → %s", (text, iso) => expect(dateFromText(treeOf(text))).toMatchObject({ value: iso, place: { line: 1, column: 1 } }));

  it("reads only the opening prose, before the first `##` heading", () => {
    expect(dateFromText(treeOf("On June 13, the service was down.\n\n## Timeline\n\nOn June 14, 2011 it was back.\n"))).toBeUndefined();
    expect(dateFromText(treeOf("Released in May 2019 (no day).\n"))).toBeUndefined();
  });

  it("comes after the path, the title and the timeline", () => {
    const text = "# Outage\n\nOn January 24, 2023 it broke.\n\n## Timeline\n\n- 2023-01-23 deploy\n";
    expect(parseText(text, "x.md").meta.date).toBe("2023-01-23");
    expect(parseText(text.replace("- 2023-01-23 deploy", "- deploy"), "x.md").meta.date).toBe("2023-01-24");
    expect(parseText(text, "x.md", { extract: { "date-from-timeline": false, "date-from-text": false } }).meta.date).toBeUndefined();
  });
});

describe("labelled-lines", () => {
  it("reads bold, plain, bulleted and heading labels, the first of each field, at its line", () => {
    const text = [
      "# Outage", // 1
      "", // 2
      "**Severity**: SEV2", // 3
      "Severity: High", // 4
      "**Affected services:** auth, api-gateway and billing", // 5
      "", // 6
      "## Level: Internal", // 7
      "", // 8
      "- **Duration**: 4 hours, from 11:00 AM to 3:00 PM (PST)", // 9
      "- **Impact**: Logins failed.", // 10
      "", // 11
      "Date: January 14-19, 2026", // 12
    ].join("\n");
    const found = labelledLines(treeOf(text), text);
    expect(found.severity).toMatchObject({ value: "SEV2", place: { line: 3, column: 1 } });
    expect(found.services).toMatchObject({ value: "auth, api-gateway and billing", place: { line: 5, column: 1 } });
    expect(found.duration).toMatchObject({ value: "4 hours, from 11:00 AM to 3:00 PM (PST)", place: { line: 9, column: 3 } });
    expect(found.impact).toMatchObject({ value: "Logins failed.", place: { line: 10, column: 3 } });
    expect(found.date).toMatchObject({ value: "January 14-19, 2026", place: { line: 12, column: 1 } });
  });

  it("reads a heading label, and a label after a hard break", () => {
    const text = "## Level: Internal\n\nSummary line  \nImpact: none\n";
    const found = labelledLines(treeOf(text), text);
    expect(found.severity).toMatchObject({ value: "Internal", place: { line: 1, column: 1 } });
    expect(found.impact).toMatchObject({ value: "none", place: { line: 4, column: 1 } });
  });

  it("leaves labels nested deeper, and other labels, alone", () => {
    const text = "- outer\n  - **Severity**: SEV1\n\n**Root Cause**: a typo\n";
    expect(labelledLines(treeOf(text), text)).toEqual({});
  });

  it.each([
    ["4 hours, from 11:00 AM to 3:00 PM (PST)", 240],
    ["90 minutes", 90],
    ["1h 30m", 90],
    ["38 minutes", 38],
    ["2 days 3 hours", 3060],
    ["5 hours 26 minutes (10:45 - 16:11 UTC)", 326],
    ["21:45 to 23:28 UTC (103 minutes)", 103],
  ])("reads the duration %s as %i minutes", (text, minutes) => expect(parseWrittenDuration(text)).toBe(minutes));

  it("finds no duration in words without an amount", () => expect(parseWrittenDuration("most of the afternoon")).toBeUndefined());

  it("splits a written list, keeping commas in brackets and leaving a sentence after it out", () => {
    expect(splitNames("auth, `api-gateway` and billing")).toEqual(["auth", "api-gateway", "billing"]);
    expect(splitNames("Storage (Blob, Table), Websites. Affected regions: all")).toEqual(["Storage (Blob, Table)", "Websites"]);
  });
});

describe("authors", () => {
  it("reads an Authors section's list, one person an item", () => {
    const found = authorsFromSection(treeOf("## Timeline\n\n- x\n\n## Authors\n\n- Jane Doe (incident commander)\n- Kim Lee - SRE\n- Jean-Luc Picard\n"));
    expect(found).toMatchObject({ value: ["Jane Doe", "Kim Lee", "Jean-Luc Picard"], place: { line: 7, column: 1 } });
  });

  it("reads a Responders section's comma-separated paragraph", () => {
    expect(authorsFromSection(treeOf("### Responders\n\n@jane, Kim Lee and Sam\n"))?.value).toEqual(["jane", "Kim Lee", "Sam"]);
  });

  it("finds none without such a section", () => expect(authorsFromSection(treeOf("## Summary\n\nJane wrote this.\n"))).toBeUndefined());
});

describe("summary-list", () => {
  const sections = DEFAULT_SECTIONS;
  it("takes the summary section's first paragraph, even after a list", () => {
    expect(summaryFromBody(treeOf("## Issue Summary\n\n- Duration: 1h\n\nLogins failed.\n"), sections, true)).toMatchObject({ value: "Logins failed.", fromList: false });
  });

  it("takes the first items of a list when the section has no paragraph, leaving metadata lines out", () => {
    const tree = treeOf("## Summary\n\n- **Duration**: 4 hours\n- **Impact**: logins failed\n- A token cache flush\n- Second\n- Third\n");
    expect(summaryFromBody(tree, sections, true)).toMatchObject({ value: "Impact: logins failed. A token cache flush. Second.", fromList: true, place: { line: 3, column: 1 } });
    expect(summaryFromBody(tree, sections, false)).toBeUndefined();
  });
});

describe("lenient date-times", () => {
  it.each([
    ["2020-12-07T8:00:00", "2020-12-07T08:00:00Z"],
    ["2020-12-07 8:00", "2020-12-07T08:00:00Z"],
    ["2020-12-07 13:00:00 UTC", "2020-12-07T13:00:00Z"],
    ["2020-12-07 13:00 +0100", "2020-12-07T12:00:00Z"],
    ["2020/12/7", "2020-12-07"],
  ])("reads %s as %s", (text, iso) => expect(parseLenientInstant(text)?.iso).toBe(iso));

  it.each(["2020-12-32", "yesterday", "2020-12-07T25:00"])("refuses %s", (text) => expect(parseLenientInstant(text)).toBeUndefined());

  it("reads a loose frontmatter date with a warning at its value, and the rules see the ISO date", async () => {
    const pm = parseText("---\ndate: 2020-12-07T8:00:00\n---\n");
    expect(pm.meta.date).toBe("2020-12-07T08:00:00Z");
    expect(pm.file.messages.map((m) => `${m.line}:${m.column} ${severityOf(m)} ${m.ruleId}`)).toEqual(["2:7 warning date/lenient"]);
  });
});

describe("metadata from the text in a postmortem", () => {
  const body = "# 2017-09-27, Hub 403\n\n**Severity**: High\n**Services**: hub\n\n## Issue Summary\n\n- **Duration**: 38 minutes\n- **Impact**: pulls failed\n\n## Timeline\n\n- 2017-09-26 23:00 deploy\n\n## Authors\n\n- Jane Doe\n";

  it("fills what the frontmatter lacks, each value with an info message at its place", () => {
    const pm = parseText(body, "hub.md");
    expect(pm.meta).toMatchObject({ date: "2017-09-27", severity: "SEV2", services: ["hub"], durationMinutes: 38, impact: "pulls failed", authors: ["Jane Doe"], summary: "Impact: pulls failed." });
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
    const pm = parseText(`---\ndate: 2024-01-01\nseverity: SEV4\nservices: [api]\nduration: 2h\nimpact: none\nauthors: [Kim]\nsummary: Short.\n---\n${body}`, "hub.md");
    expect(pm.meta).toMatchObject({ date: "2024-01-01", severity: "SEV4", services: ["api"], durationMinutes: 120, impact: "none", authors: ["Kim"], summary: "Short." });
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
    const off: UserConfig = { extract: { "date-from-title": false, "date-from-timeline": false, "date-from-text": false, "labelled-lines": false, authors: false, "summary-list": false } };
    const pm = parseText(body, "hub.md", off);
    expect(pm.meta).toMatchObject({ date: undefined, severity: undefined, services: [], durationMinutes: undefined, impact: undefined, authors: [], summary: undefined, fromText: [] });
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
  const text = "---\ntitle: Status page incident\nstart_time: 2020-12-07T08:00:00Z\nresolved: true\nresolvedWhen: 2020-12-07T09:30:00Z\naffected: [api, web]\n---\n";
  const map = { fields: { map: { date: "start_time", resolved: "resolvedWhen", services: "affected" } } };

  it("reads a field from another key, keeping the key", () => {
    const pm = parseText(text, "a.md", map);
    expect(pm.meta).toMatchObject({ date: "2020-12-07T08:00:00Z", services: ["api", "web"], timeToResolve: 90 });
    expect(pm.meta.data).toMatchObject({ start_time: "2020-12-07T08:00:00Z", date: "2020-12-07T08:00:00Z", resolved: "2020-12-07T09:30:00Z", affected: ["api", "web"] });
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
    expect(JSON.parse(formatJson([f], { cwd }))[0]).toMatchObject({ errorCount: 0, warningCount: 1, infoCount: 1, messages: expect.arrayContaining([expect.objectContaining({ severity: "info", ruleId: "extract/date-from-path" })]) });
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
    ["icco-postmortems", { fields: { required: [], map: { date: "start_time" } } }, 242, (metas) => 9 + metas.filter((meta) => parseDate(meta.data.start_time)).length],
    ["icco-postmortems-2023", { fields: { required: [] } }, 243, 26], // prose only: the 26 whose opening says a whole date
  ];

  it.each(archives)("%s: check finds a date for every postmortem that has one", async (folder, user, files, dated) => {
    const content = path.join(sharedDir, "corpus", "real", folder);
    const rels = fg.sync("**/*.{md,markdown}", { cwd: content, ignore: [".cache/**"] });
    expect(rels).toHaveLength(files);
    const config = resolveConfig({ ...user, sections: [] }, content);
    const metas = rels.map((rel) => parse({ path: path.join(content, rel), relPath: rel, text: fs.readFileSync(path.join(content, rel), "utf8") }, config).meta);
    expect(metas.filter((meta) => meta.date !== undefined)).toHaveLength(typeof dated === "number" ? dated : dated(metas));
    // check says where each date read from the text came from.
    const result = await check({ root: content, content, cache: false, sections: [], fields: { required: [] }, ...user });
    const fromText = metas.filter((meta) => meta.fromText.includes("date")).length;
    const noted = result.files.filter((f) => f.messages.some((m) => severityOf(m) === "info" && m.reason.startsWith("Missing `date`"))).length;
    expect(noted).toBe(fromText);
    expect(result.files.flatMap((f) => f.messages.filter((m) => m.ruleId === "frontmatter/required"))).toEqual([]);
  });
});
