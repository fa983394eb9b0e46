import { describe, expect, it } from "vitest";
import { DEFAULT_SEVERITIES } from "../../src/config-defaults.js";
import type { SeverityLevel } from "../../src/config.js";
import { buildDashboard, type Chart } from "../../src/stats/dashboard.js";
import { median } from "../../src/stats/data.js";
import { escapeXml, niceTicks } from "../../src/stats/svg.js";
import type { PostmortemMeta } from "../../src/types.js";

let counter = 0;

/** A postmortem with only the fields a test cares about; the rest are empty. */
function pm(fields: Partial<PostmortemMeta>): { meta: PostmortemMeta } {
  const slug = `pm-${++counter}`;
  const base = { slug, title: slug, titleFrom: "frontmatter", status: "final", services: [], tags: [], authors: [], data: {} };
  return { meta: { ...base, ...fields } as PostmortemMeta };
}

function chart(charts: Chart[], id: string): Chart {
  const found = charts.find((c) => c.id === id);
  if (!found) throw new Error(`no chart ${id}`);
  return found;
}

const SEV = DEFAULT_SEVERITIES;

/** Tag names in order, checking that every element is closed in the right order. */
function assertWellFormed(svg: string): void {
  const stack: string[] = [];
  for (const [, close, name, selfClose] of svg.matchAll(/<(\/?)([a-zA-Z]+)(?:\s+[a-zA-Z][\w:-]*="[^"<]*")*\s*(\/?)>/g)) {
    if (selfClose) continue;
    if (close) expect(stack.pop()).toBe(name);
    else stack.push(name!);
  }
  expect(stack).toEqual([]);
  // Whatever is left between tags must be escaped text: no stray `<`, `>` or bare `&`.
  const text = svg.replace(/<\/?[a-zA-Z]+(?:\s+[a-zA-Z][\w:-]*="[^"<]*")*\s*\/?>/g, "");
  expect(text).not.toMatch(/[<>]|&(?!amp;|lt;|gt;|quot;|#39;)/);
}

describe("postmortems per month", () => {
  const items = [
    pm({ date: "2024-01-15", severity: "SEV1" }),
    pm({ date: "2024-01-20T10:00:00Z", severity: "SEV2" }),
    pm({ date: "2024-03-02", severity: "SEV1" }),
    pm({ date: "2024-03-05", severity: undefined }),
    pm({ date: undefined, severity: "SEV1" }),
  ];
  const perMonth = chart(buildDashboard(items, SEV), "per-month");

  it("counts every month from the first to the last, empty ones included, by severity then unrated", () => {
    expect(perMonth.title).toBe("Postmortems per month");
    expect(perMonth.table.head).toEqual(["Month", "SEV1", "SEV2", "SEV3", "SEV4", "SEV5", "Unrated", "Total"]);
    expect(perMonth.table.rows).toEqual([
      ["2024-01", 1, 1, 0, 0, 0, 0, 2],
      ["2024-02", 0, 0, 0, 0, 0, 0, 0],
      ["2024-03", 1, 0, 0, 0, 0, 1, 2],
    ]);
    expect(perMonth.description).toContain("4 dated postmortems from 2024-01 to 2024-03");
    expect(perMonth.description).toContain("1 undated postmortem not shown");
  });

  it("stacks the worst level at the bottom, unrated in a themed class, and a legend for levels present only", () => {
    const rects = [
      ...perMonth.svg.matchAll(/<rect( class="\w+")? x="([\d.]+)" y="([\d.]+)" width="[\d.]+" height="([\d.]+)"( fill="(#\w+)")?><title>([^<]*)<\/title>/g),
    ];
    const january = rects.filter((r) => r[7]!.startsWith("2024-01"));
    expect(january.map((r) => r[6])).toEqual([SEV[0]!.color, SEV[1]!.color]);
    const [sev1, sev2] = january.map((r) => ({ y: Number(r[3]), h: Number(r[4]) }));
    expect(sev2!.y + sev2!.h).toBeCloseTo(sev1!.y, 5);
    expect(perMonth.svg).toMatch(/<rect class="unrated" [^>]*><title>2024-03 · Unrated: 1<\/title>/);
    const legend = /<g class="legend">(.*?)<\/g>/.exec(perMonth.svg)![1]!;
    expect([...legend.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1])).toEqual(["SEV1", "SEV2", "Unrated"]);
  });

  it("draws y ticks on round numbers", () => {
    const ticks = [...perMonth.svg.matchAll(/<text class="tick" [^>]*text-anchor="end">(\d+)<\/text>/g)].map((m) => Number(m[1]));
    expect(ticks).toEqual([0, 1, 2]);
    expect(niceTicks(7)).toEqual([0, 2, 4, 6, 8]);
    expect(niceTicks(37)).toEqual([0, 10, 20, 30, 40]);
  });

  it("stays monthly at exactly 36 months and thins the x labels so they do not overlap", () => {
    const c = chart(buildDashboard([pm({ date: "2021-01-01" }), pm({ date: "2023-12-31" })], SEV), "per-month");
    expect(c.table.rows).toHaveLength(36);
    expect(c.table.rows[0]![0]).toBe("2021-01");
    expect(c.table.rows[35]![0]).toBe("2023-12");
    const xs = [...c.svg.matchAll(/<text class="tick" x="([\d.]+)" y="[\d.]+" text-anchor="middle">([^<]*)<\/text>/g)];
    expect(xs[0]![2]).toBe("2021-01");
    expect(xs.length).toBeGreaterThan(3);
    expect(xs.length).toBeLessThan(36);
    // About 7 characters at 12 units × 0.6 each: centres at least that far apart.
    const centres = xs.map((m) => Number(m[1]));
    for (let i = 1; i < centres.length; i++) expect(centres[i]! - centres[i - 1]!).toBeGreaterThanOrEqual(50);
  });

  it("groups by quarter beyond 36 months and says so in the title", () => {
    const items = [pm({ date: "2020-02-10", severity: "SEV2" }), pm({ date: "2020-03-01" }), pm({ date: "2023-02-01", severity: "SEV1" })];
    const c = chart(buildDashboard(items, SEV), "per-month");
    expect(c.title).toMatch(/per quarter/);
    expect(c.title).toMatch(/36 months/);
    expect(c.table.head[0]).toBe("Quarter");
    expect(c.table.rows).toHaveLength(13);
    expect(c.table.rows[0]).toEqual(["2020 Q1", 0, 1, 0, 0, 0, 1, 2]);
    expect(c.table.rows[1]).toEqual(["2020 Q2", 0, 0, 0, 0, 0, 0, 0]);
    expect(c.table.rows[12]).toEqual(["2023 Q1", 1, 0, 0, 0, 0, 0, 1]);
    expect(c.svg).toContain(">2020 Q1</text>");
  });

  it("groups by year beyond 48 quarters, and draws the last 100 years at most (issue 13: a date in 9999 made 32,000 columns)", () => {
    const historic = chart(buildDashboard([pm({ date: "1969-07-20" }), pm({ date: "2024-03-01" })], SEV), "per-month");
    expect(historic.title).toMatch(/per year/);
    expect(historic.table.rows).toHaveLength(56);
    expect(historic.table.rows[0]![0]).toBe("1969");
    const far = chart(buildDashboard([pm({ date: "1628-08-10" }), pm({ date: "2024-03-01" }), pm({ date: "9999-12-31" })], SEV), "per-month");
    expect(far.table.rows).toHaveLength(100);
    expect(far.table.rows[99]![0]).toBe("9999");
  });
});

describe("top services", () => {
  it("keeps the 10 most named services, ties in alphabetical order, merging spellings and repeats", () => {
    const counts: Record<string, number> = { web: 3, api: 3, db: 5, cache: 1, queue: 1, auth: 4, dns: 2, cdn: 2, mail: 1, search: 1, billing: 1, zeta: 1 };
    const items = Object.entries(counts).flatMap(([service, n]) => Array.from({ length: n }, () => pm({ services: [service] })));
    // `Auth` is the same service as `auth`, and a postmortem that names it twice counts once.
    items.push(pm({ services: ["Auth", "auth"] }));
    const c = chart(buildDashboard(items, SEV), "top-services");
    expect(c.table.rows).toEqual([
      ["auth", 5],
      ["db", 5],
      ["api", 3],
      ["web", 3],
      ["cdn", 2],
      ["dns", 2],
      ["billing", 1],
      ["cache", 1],
      ["mail", 1],
      ["queue", 1],
    ]);
    expect(c.description).toContain("of 12 in all");
    const labels = [...c.svg.matchAll(/<text class="label"[^>]*>([^<]*)/g)].map((m) => m[1]);
    expect(labels).toEqual(c.table.rows.map((r) => r[0]));
    expect(c.svg).toMatch(/<text class="value"[^>]*>5<\/text>/);
  });
});

describe("median times", () => {
  const items = [
    pm({ severity: "SEV1", year: "2024", timeToResolve: 10, timeToDetect: 4 }),
    pm({ severity: "SEV1", year: "2024", timeToResolve: 30, timeToDetect: 1 }),
    pm({ severity: "SEV1", year: "2023", timeToResolve: 20, timeToDetect: 2 }),
    pm({ severity: "SEV2", year: "2023", timeToResolve: 60 }),
    pm({ severity: "SEV2", year: "2023", timeToResolve: 120, timeToDetect: Number.NaN }),
    pm({ severity: "SEV3", year: "2022", timeToResolve: -5 }),
    pm({ severity: undefined, year: undefined, timeToResolve: 999 }),
  ];
  const charts = buildDashboard(items, SEV);

  it("takes the median per severity level, odd and even n, levels without data left out", () => {
    const ttr = chart(charts, "ttr-by-severity");
    expect(ttr.table.head).toEqual(["Severity", "Median time to resolve", "Median (minutes)", "Sample size (n)"]);
    expect(ttr.table.rows).toEqual([
      ["SEV1", "20m", 20, 3],
      ["SEV2", "1h 30m", 90, 2],
    ]);
    expect(ttr.svg).toContain(">1h 30m (n=2)</text>");
    expect(ttr.svg).toContain(`fill="${SEV[1]!.color}"`);
    const ttd = chart(charts, "ttd-by-severity");
    expect(ttd.table.rows).toEqual([["SEV1", "2m", 2, 3]]);
  });

  it("takes the median per year, oldest first", () => {
    expect(chart(charts, "ttr-by-year").table.rows).toEqual([
      ["2023", "1h", 60, 3],
      ["2024", "20m", 20, 2],
    ]);
    expect(chart(charts, "ttd-by-year").table.rows).toEqual([
      ["2023", "2m", 2, 1],
      ["2024", "3m", 2.5, 2],
    ]);
  });

  it("computes medians of odd and even lists", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });
});

describe("a dashboard with no data", () => {
  const charts = buildDashboard([pm({})], SEV);

  it("keeps every chart, in order, each saying No data yet with an empty table", () => {
    expect(charts.map((c) => c.id)).toEqual(["per-month", "top-services", "ttr-by-severity", "ttd-by-severity", "ttr-by-year", "ttd-by-year"]);
    for (const c of charts) {
      expect(c.svg).toContain(">No data yet</text>");
      expect(c.table.rows).toEqual([]);
      expect(c.table.head.length).toBeGreaterThan(1);
    }
    expect(buildDashboard([], SEV).map((c) => c.svg)).toEqual(charts.map((c) => c.svg));
  });
});

describe("the SVG", () => {
  const hostile = "<script>alert(1)</script> & co";
  const scale: SeverityLevel[] = [
    { id: "S1", label: `A&B "crit"`, color: "#b42318", aliases: [] },
    { id: "S2", label: "S2", color: `red" onload="alert(1)`, aliases: [] },
  ];
  const items = [
    pm({ date: "2024-05-01", year: "2024", severity: "S1", services: [hostile, "it's"], timeToResolve: 42, timeToDetect: 3 }),
    pm({ date: "2024-07-01", year: "2024", severity: "S2", services: [hostile], timeToResolve: 7, timeToDetect: 1 }),
  ];
  const charts = buildDashboard(items, scale);

  it("escapes untrusted service names and labels, and drops unsafe colours", () => {
    const all = charts.map((c) => c.svg).join("\n");
    expect(all).not.toMatch(/<script/i);
    expect(all).not.toContain("onload");
    expect(chart(charts, "top-services").svg).toContain("<title>&lt;script&gt;alert(1)&lt;/script&gt; &amp; co: 2 postmortems</title>");
    expect(chart(charts, "top-services").svg).toContain(">it&#39;s</text>");
    expect(chart(charts, "per-month").svg).toContain(">A&amp;B &quot;crit&quot;</text>");
    // The table keeps the raw name: the template escapes it like any other text.
    expect(chart(charts, "top-services").table.rows[0]).toEqual([hostile, 2]);
    // The S2 bar falls back to the themed class rather than an unsafe fill.
    expect(chart(charts, "ttr-by-severity").svg).toMatch(/<rect class="bar" [^>]*><title>S2: median 7m/);
    for (const c of charts) assertWellFormed(c.svg);
  });

  it("is labelled by its own title and desc, static, and uses numbers with at most one decimal", () => {
    for (const c of [...charts, ...buildDashboard([], SEV)]) {
      expect(c.svg).toMatch(new RegExp(`^<svg [^>]*role="img" aria-labelledby="${c.id}-title ${c.id}-desc" viewBox="0 0 640 [\\d.]+" width="100%"`));
      expect(c.svg).toContain(`<title id="${c.id}-title">${escapeXml(c.title)}</title><desc id="${c.id}-desc">${escapeXml(c.description)}</desc>`);
      expect(c.svg).not.toMatch(/<script|\son[a-z]+=|style=|href=|url\(|<image|<foreignObject/i);
      expect(c.svg).not.toMatch(/="-?\d+\.\d{2,}"/);
      expect(c.svg.endsWith("</svg>")).toBe(true);
      assertWellFormed(c.svg);
    }
  });

  it("is the same for the same input, whatever the input order", () => {
    expect(buildDashboard(items, scale)).toEqual(charts);
    expect(JSON.stringify(buildDashboard([...items].reverse(), scale))).toBe(JSON.stringify(charts));
  });
});
