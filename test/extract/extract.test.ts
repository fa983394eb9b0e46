// Each extractor on its own (src/extract/): what it reads from a postmortem's text and where.
// The extractors through parse, check and the reports: test/extract/parse.test.ts.
import { describe, expect, it } from "vitest";
import { DEFAULT_SECTIONS } from "../../src/config-defaults.js";
import { resolveConfig } from "../../src/config.js";
import { authorsFromSection } from "../../src/extract/authors.js";
import { dateFromPath } from "../../src/extract/date-from-path.js";
import { dateFromText } from "../../src/extract/date-from-text.js";
import { dateFromTimeline } from "../../src/extract/date-from-timeline.js";
import { dateFromTitle } from "../../src/extract/date-from-title.js";
import { labelledLines, parseWrittenDuration, splitNames } from "../../src/extract/labelled-lines.js";
import { summaryFromBody } from "../../src/extract/summary.js";
import { parseText } from "../helpers.js";

const treeOf = (text: string) => parseText(text).tree;

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
    const text =
      "## Timeline\n\nAll times in CET.\n\n| Time | Event |\n| --- | --- |\n| HH:mm | not yet |\n| 2020-01-21 15:36 | expires |\n| 2020-01-22 | later |\n";
    const row = text.indexOf("| 2020-01-21");
    expect(dateFromTimeline(treeOf(text), DEFAULT_SECTIONS)).toEqual({ value: "2020-01-21", place: { line: 8, column: 1, offset: row } });
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
    expect(summaryFromBody(treeOf("## Issue Summary\n\n- Duration: 1h\n\nLogins failed.\n"), sections, true)).toMatchObject({
      value: "Logins failed.",
      fromList: false,
    });
  });

  it("takes the first items of a list when the section has no paragraph, leaving metadata lines out", () => {
    const tree = treeOf("## Summary\n\n- **Duration**: 4 hours\n- **Impact**: logins failed\n- A token cache flush\n- Second\n- Third\n");
    expect(summaryFromBody(tree, sections, true)).toMatchObject({
      value: "Impact: logins failed. A token cache flush. Second.",
      fromList: true,
      place: { line: 3, column: 1 },
    });
    expect(summaryFromBody(tree, sections, false)).toBeUndefined();
  });
});
