import { describe, expect, it } from "vitest";
import { DEFAULT_SECTIONS } from "../../src/config-defaults.js";
import { resolveConfig } from "../../src/config.js";
import { insideOf, isInside, staysInside } from "../../src/util/inside.js";
import type { ReadText } from "../../src/util/read-texts.js";
import { matchSection } from "../../src/util/sections.js";
import { slugFromPath, slugify, slugOrHash } from "../../src/util/slug.js";
import { formatDate, formatDuration, parseDuration, parseInstant, readDate } from "../../src/util/time.js";
import { rootPrefix } from "../../src/util/urls.js";

describe("slugs", () => {
  it("makes URL-safe slugs of paths, folder by folder", () => {
    expect(slugFromPath("2024/Auth Outage.md")).toBe("2024/auth-outage");
    expect(slugFromPath("PM2019-009 - Kubernetes IP starvation.markdown")).toBe("pm2019-009-kubernetes-ip-starvation");
    expect(slugify("Café & Crème")).toBe("cafe-and-creme");
  });

  it("never yields an empty slug or one that climbs out of its folder", () => {
    expect(slugOrHash("😀")).toMatch(/^x-[0-9a-f]{8}$/);
    expect(slugOrHash("😀")).toBe(slugOrHash("😀"));
    expect(slugFromPath("../../etc/passwd.md")).not.toContain("..");
  });
});

describe("time", () => {
  it("parses ISO dates and date-times, and rejects impossible ones", () => {
    expect(parseInstant("2024-02-10")).toMatchObject({ iso: "2024-02-10", hasTime: false });
    expect(parseInstant("2024-02-10T09:30:00Z")?.iso).toBe("2024-02-10T09:30:00Z");
    expect(parseInstant("2024-02-10T11:30:00+02:00")?.iso).toBe("2024-02-10T09:30:00Z");
    expect(parseInstant("2024-02-30")).toBeUndefined();
    expect(parseInstant("last tuesday")).toBeUndefined();
    expect(parseInstant(42)).toBeUndefined();
  });

  it("says why a value is not a date an archive may hold", () => {
    expect(readDate("2024-02-10")).toMatchObject({ ok: true, value: { iso: "2024-02-10" } });
    expect(readDate("2024-02-30")).toEqual({ ok: false, error: "not-a-date" });
    expect(readDate(["2024-02-10"])).toEqual({ ok: false, error: "not-a-date" });
    expect(readDate("0000-12-31")).toEqual({ ok: false, error: "out-of-range" });
    expect(readDate("9999-12-31T23:00:00-02:00")).toEqual({ ok: false, error: "out-of-range" });
  });

  it("parses and formats durations", () => {
    expect(parseDuration("4h")).toBe(240);
    expect(parseDuration("1h55m")).toBe(115);
    expect(parseDuration("90m")).toBe(90);
    expect(parseDuration("soon")).toBeUndefined();
    expect(formatDuration(115)).toBe("1h 55m");
    expect(formatDuration(3000)).toBe("2d 2h");
  });

  it("formats dates for readers", () => {
    expect(formatDate("2019-06-11T18:00:00Z", true)).toBe("11 Jun 2019 18:00 UTC");
    expect(formatDate("2019-06-11")).toBe("11 Jun 2019");
    expect(formatDate(undefined)).toBe("Undated");
  });
});

describe("matchSection", () => {
  it("matches names and aliases, ignoring case, whitespace and a trailing qualifier", () => {
    expect(matchSection("Timeline (all times UTC)", DEFAULT_SECTIONS)?.name).toBe("Timeline");
    expect(matchSection("  issue   SUMMARY ", DEFAULT_SECTIONS)?.name).toBe("Issue Summary");
    expect(matchSection("Root Cause Analysis: the cache", DEFAULT_SECTIONS)?.name).toBe("Root Cause and Resolution");
    expect(matchSection("Action Items", DEFAULT_SECTIONS)?.name).toBe("Corrective and Preventative Measures");
  });

  it("does not match a heading that only begins with a section's word", () => {
    expect(matchSection("Timelines are hard", DEFAULT_SECTIONS)).toBeUndefined();
    expect(matchSection("Causes", DEFAULT_SECTIONS)).toBeUndefined();
  });

  it("matches any heading an alias ending in an ellipsis begins (`Details of …`)", () => {
    const sections = resolveConfig({ sections: [{ name: "Details", aliases: ["Details of …", "Incident report..."] }, { name: "Summ…" }] }).sections;
    expect(matchSection("Details of the 2021-05 outage", sections)?.name).toBe("Details");
    expect(matchSection("details  OF", sections)?.name).toBe("Details");
    expect(matchSection("Incident report for the API", sections)?.name).toBe("Details");
    expect(matchSection("Summary of events", sections)?.name).toBe("Summ…");
    // With a space before the ellipsis, the prefix is whole words.
    expect(matchSection("Details offered", sections)).toBeUndefined();
    expect(matchSection("Detail", sections)).toBeUndefined();
  });
});

describe("rootPrefix", () => {
  it("climbs back to the output root from any page", () => {
    expect(rootPrefix("index.html")).toBe("./");
    expect(rootPrefix("services/index.html")).toBe("../");
    expect(rootPrefix("postmortems/2024/x/index.html")).toBe("../../../");
  });
});

describe("slug length (regression: ENAMETOOLONG on a 240-character file name)", () => {
  it("cuts long slugs at a word and keeps them distinct", () => {
    const a = slugOrHash("word ".repeat(60) + "a");
    const b = slugOrHash("word ".repeat(60) + "b");
    expect(a.length).toBeLessThanOrEqual(90);
    expect(a).toMatch(/^word(-word)*-[0-9a-f]{8}$/);
    expect(a).not.toBe(b);
    expect(slugOrHash("&".repeat(240)).length).toBeLessThanOrEqual(90);
  });
});

describe("readTexts", () => {
  it("reads files in order, one after another or many at once, with an error for a file it cannot read", async () => {
    const fs = await import("node:fs");
    const path = await import("node:path");
    const { readTexts } = await import("../../src/util/read-texts.js");
    const { tempDir } = await import("../helpers.js");
    const dir = tempDir();
    const files = Array.from({ length: 150 }, (_, i) => path.join(dir, `${i}.md`));
    files.forEach((file, i) => fs.writeFileSync(file, `file ${i}`));
    files.splice(100, 0, path.join(dir, "missing.md"));
    const expected = files.map((file) => (fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "error"));
    const read = async (options?: { coldReadMs: number }) => {
      const texts: ReadText[] = [];
      for await (const text of readTexts(files, options)) texts.push(text);
      return texts;
    };
    const shown = (texts: ReadText[]) => texts.map((text) => (text.ok ? text.value : text.error instanceof Error ? "error" : "too big"));
    // From the page cache: every file one after another.
    expect(shown(await read())).toEqual(expected);
    // As on a cold disk: the 64 files read first count as slow, the rest are read ahead, 64 at a time.
    expect(shown(await read({ coldReadMs: 0 }))).toEqual(expected);
    const missing = (await read({ coldReadMs: 0 }))[100];
    expect(missing?.ok === false && missing.error).toBeInstanceOf(Error);
  });

  it("measures each file before reading it: one over maxBytes gives its size, in both ways of reading (issue 13)", async () => {
    const fs = await import("node:fs");
    const path = await import("node:path");
    const { readTexts, TooBig } = await import("../../src/util/read-texts.js");
    const { tempDir } = await import("../helpers.js");
    const dir = tempDir();
    const files = Array.from({ length: 150 }, (_, i) => path.join(dir, `${i}.md`));
    files.forEach((file, i) => fs.writeFileSync(file, i === 10 || i === 120 ? "x".repeat(500) : `file ${i}`));
    for (const coldReadMs of [undefined, 0]) {
      const texts: ReadText[] = [];
      for await (const text of readTexts(files, { maxBytes: 100, ...(coldReadMs === undefined ? {} : { coldReadMs }) })) texts.push(text);
      // 10 is read one after another; 120 ahead of the reader, past the first 64 on a "cold disk".
      expect(texts.map((t, i) => (!t.ok && t.error instanceof TooBig ? `${i}: ${t.error.bytes}` : undefined)).filter(Boolean)).toEqual(["10: 500", "120: 500"]);
      expect(texts[11]).toEqual({ ok: true, value: "file 11" });
    }
  });
});

describe("path containment, the project's one test of it", () => {
  it("takes a folder and what is under it, not a sibling that shares its name's start", () => {
    expect(isInside("/srv/archive", "/srv/archive")).toBe(true);
    expect(isInside("/srv/archive/content/a.md", "/srv/archive")).toBe(true);
    expect(isInside("/srv/archive-old/a.md", "/srv/archive")).toBe(false);
    expect(isInside("/srv/a.md", "/")).toBe(true);
  });

  it("reads relative POSIX paths against a folder, `.` holding every path that does not climb out", () => {
    expect(isInside("docs/_static/x.png", "docs", "/")).toBe(true);
    expect(isInside("docsy/x.png", "docs", "/")).toBe(false);
    expect(isInside("docs/x.png", ".", "/")).toBe(true);
    expect(isInside("../x.png", ".", "/")).toBe(false);
    expect(isInside("..", ".", "/")).toBe(false);
    expect(isInside("..x/y.png", ".", "/")).toBe(true);
  });

  it("keeps output paths strictly inside the output folder", () => {
    expect(staysInside("/out", "a/b.html")).toBe(true);
    expect(staysInside("/out", "../out-2/a.html")).toBe(false);
    expect(staysInside("/out", "a/../../x")).toBe(false);
    expect(staysInside("/out", ".")).toBe(false);
    expect(staysInside("/out", "/etc/passwd")).toBe(false);
    expect(staysInside("/out", "a\0b")).toBe(false);
    expect(() => insideOf("/out", "../x")).toThrow(/outside the output folder/);
  });
});
