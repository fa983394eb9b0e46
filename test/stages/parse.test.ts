import { describe, expect, it } from "vitest";
import { parseText } from "../helpers.js";

const messagesOf = (pm: ReturnType<typeof parseText>) => pm.file.messages.map((m) => ({ ruleId: m.ruleId, line: m.line, column: m.column, fatal: m.fatal }));

describe("parse", () => {
  it("normalises frontmatter into metadata", () => {
    const pm = parseText(
      [
        "---",
        "title: Login outage",
        "date: 2024-02-10T09:30:00Z",
        "severity: sev-1",
        "services: auth",
        "tags: [cache, deploy]",
        "started: 2024-02-10T09:30:00Z",
        "resolved: 2024-02-10T11:00:00Z",
        "incident_id: INC-7",
        "company: Acme",
        "---",
        "",
        "## Issue Summary",
        "",
        "Logins failed.",
      ].join("\n"),
    );
    expect(pm.meta).toMatchObject({
      title: "Login outage",
      date: "2024-02-10T09:30:00Z",
      year: "2024",
      severity: "SEV1",
      services: ["auth"],
      tags: ["cache", "deploy"],
      status: "final",
      summary: "Logins failed.",
      incidentId: "INC-7",
      durationMinutes: 90,
      slug: "2024/example",
    });
    expect(pm.meta.data.company).toBe("Acme");
    expect(pm.file.messages).toEqual([]);
  });

  it("keeps a YAML date as the string written, not a shifted Date", () => {
    expect(parseText("---\ndate: 2024-05-01\n---\n").meta.date).toBe("2024-05-01");
  });

  it("prefers an explicit duration and an explicit slug", () => {
    const pm = parseText("---\nduration: 1h55m\nslug: Custom Slug\n---\n");
    expect(pm.meta.durationMinutes).toBe(115);
    expect(pm.meta.slug).toBe("custom-slug");
  });

  it("reports unparseable frontmatter as an error at its line and column", () => {
    const pm = parseText("---\ntitle: ok\nservices: [auth\nseverity: SEV1\n---\n\n# Heading\n");
    const [message] = pm.file.messages;
    expect(message).toMatchObject({ ruleId: "frontmatter/syntax", fatal: true });
    expect(message!.line).toBeGreaterThanOrEqual(3);
    expect(message!.note).toMatch(/YAML/);
    // The body still parses, with line numbers true to the file.
    expect(pm.tree.children[0]?.position?.start.line).toBe(7);
  });

  it("reports a frontmatter that is a list, not a mapping", () => {
    const pm = parseText("---\n- a\n- b\n---\nbody\n");
    expect(messagesOf(pm)).toContainEqual({ ruleId: "frontmatter/syntax", line: 2, column: 1, fatal: true });
  });

  it("falls back to the first # heading for the title, with a warning at the heading", () => {
    const pm = parseText("---\nseverity: SEV2\n---\n\n# CDN certificate expired\n\ntext\n");
    expect(pm.meta.title).toBe("CDN certificate expired");
    expect(messagesOf(pm)).toContainEqual({ ruleId: "title/fallback", line: 5, column: 1, fatal: false });
  });

  it("falls back to the date in a Jekyll-style file name, with an info message", () => {
    const pm = parseText("# T\n", "2023/2023-03-04-cdn-cert.md");
    expect(pm.meta.date).toBe("2023-03-04");
    expect(messagesOf(pm)).toContainEqual({ ruleId: "extract/date-from-path", line: 1, column: 1, fatal: undefined });
  });

  it("reads files without frontmatter, with CRLF line endings", () => {
    const pm = parseText("# Title here\r\n\r\n## Summary\r\n\r\nFirst para.\r\n");
    expect(pm.meta.title).toBe("Title here");
    expect(pm.meta.summary).toBe("First para.");
    expect(pm.meta.services).toEqual([]);
    expect(pm.meta.severity).toBeUndefined();
  });

  it("leaves an unknown severity unset and an unknown status final", () => {
    const pm = parseText("---\nseverity: catastrophic\nstatus: published\n---\n");
    expect(pm.meta.severity).toBeUndefined();
    expect(pm.meta.status).toBe("final");
  });

  it("maps severity aliases configured per level", () => {
    const pm = parseText("---\nseverity: P1\n---\n", undefined, { severities: [{ id: "SEV1", aliases: ["P1"] }, "SEV2"] });
    expect(pm.meta.severity).toBe("SEV1");
  });

  it("takes the summary from a paragraph of Issue Summary, never from a list of facts", () => {
    expect(parseText("## Issue Summary\n- **Duration**: 4h\n").meta.summary).toBeUndefined();
    const long = "word ".repeat(100);
    expect(parseText(`## Overview\n\n${long}\n`).meta.summary!.length).toBeLessThanOrEqual(280);
  });
});

describe("parse fallbacks for archives that grew without frontmatter", () => {
  it("makes a readable title of a Jekyll-style file name when there is no heading", () => {
    const pm = parseText("## Issue summary\n\nText.\n", "2021-05/2021-05-09-negative-coin-values.md");
    expect(pm.meta.title).toBe("Negative coin values");
    expect(pm.meta.date).toBe("2021-05-09");
  });

  it("takes the first sentence for the title when the file name is a UUID, a hash or a number", () => {
    const body = "---\ncompany: CCP Games\n---\n\nA typo in the installer deleted *boot.ini* on some machines. It was fixed within a day.\n";
    for (const name of ["01494547-7ee9-4169-a0c0-d921fa309d83.md", "3f2a9c1e5b7d.md", "1234.md"]) {
      const pm = parseText(body, name);
      expect([pm.meta.title, pm.meta.titleFrom], name).toEqual(["A typo in the installer deleted boot.ini on some machines", "text"]);
    }
    // A long first sentence is cut at a word; a name with words keeps its title; no paragraph, the name as it is.
    const long = parseText(`${"Word ".repeat(40)}end.\n`, "0123abcd.md").meta.title;
    expect(long).toBe(`${"Word ".repeat(18).trimEnd()}…`);
    expect(parseText(body, "cafe-outage.md").meta).toMatchObject({ title: "Cafe outage", titleFrom: "file" });
    expect(parseText("## Timeline\n", "1234.md").meta).toMatchObject({ title: "1234", titleFrom: "file" });
  });
});

describe("frontmatter", () => {
  it("knows where each field is written", () => {
    const pm = parseText("---\ntitle: T\nservices:\n  - auth\nseverity:   SEV2\n---\n");
    expect(pm.places.get("title")).toEqual({ key: { line: 2, column: 1 }, value: { line: 2, column: 8 } });
    expect(pm.places.get("services")?.value.line).toBe(4);
    expect(pm.places.get("severity")?.value).toEqual({ line: 5, column: 13 });
  });

  it("refuses a YAML alias bomb instead of expanding it", () => {
    const bomb = [
      "---",
      "a: &a [x, x, x, x, x, x, x, x, x, x]",
      ...Array.from(
        { length: 9 },
        (_, i) =>
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10)
            .fill(`*${String.fromCharCode(97 + i)}`)
            .join(", ")}]`,
      ),
      "---",
      "",
    ].join("\n");
    const started = Date.now();
    const pm = parseText(bomb);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(pm.file.messages.map((m) => m.ruleId)).toContain("frontmatter/syntax");
    expect(pm.frontmatterOk).toBe(false);
  });

  it("reports a duplicated key", () => {
    const pm = parseText("---\ntitle: A\ntitle: B\n---\n");
    expect(pm.file.messages.map((m) => [m.ruleId, m.line])).toEqual([["frontmatter/syntax", 3]]);
  });
});

describe("parse regressions", () => {
  it("reads only a string as a status (regression: an aliased list took 1.6 GB to stringify)", () => {
    expect(parseText("---\nstatus: [draft]\n---\n").meta.status).toBe("final");
    expect(parseText("---\nstatus: ' Draft '\n---\n").meta.status).toBe("draft");
  });

  it("does not roll an impossible date-time over into the next month", () => {
    const pm = parseText("---\ndate: 2024-02-30T10:00:00Z\n---\n");
    expect(pm.meta.date).toBeUndefined();
  });
});

describe("derived times", () => {
  it("gives time to detect, mitigate and resolve from the timestamps", () => {
    const pm = parseText(
      "---\nstarted: 2024-02-10T09:30:00Z\ndetected: 2024-02-10T09:36:00Z\nmitigated: 2024-02-10T10:00:00Z\nresolved: 2024-02-10T11:00:00Z\n---\n",
    );
    expect(pm.meta).toMatchObject({ timeToDetect: 6, timeToMitigate: 30, timeToResolve: 90, durationMinutes: 90 });
  });

  it("counts from a date-time `date` when `started` is absent, never from a plain date", () => {
    expect(parseText("---\ndate: 2024-02-10T09:30:00Z\nresolved: 2024-02-10T10:00:00Z\n---\n").meta.timeToResolve).toBe(30);
    expect(parseText("---\ndate: 2024-02-10\nresolved: 2024-02-10T10:00:00Z\n---\n").meta.timeToResolve).toBeUndefined();
  });
});
