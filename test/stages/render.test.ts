import { describe, expect, it } from "vitest";
import { imageStore, parseText, render, renderText } from "../helpers.js";

describe("render", () => {
  it("renders GFM: tables, task lists and footnotes whose links reach their targets", async () => {
    const { html } = await renderText("| a | b |\n|---|---|\n| 1 | 2 |\n\n- [ ] open\n- [x] done\n\nText[^1].\n\n[^1]: A note.\n");
    expect(html).toContain("<table>");
    // Each named by its item, for screen readers (axe: label).
    expect(html).toContain('<input type="checkbox" disabled aria-label="open">');
    expect(html).toContain('<input type="checkbox" checked disabled aria-label="done">');
    expect((await renderText("```\nsome code\n```\n")).html).toMatch(/<pre tabindex="0">/);
    // A loose task list puts the checkbox in a paragraph: it is named all the same.
    expect((await renderText("- [ ] first\n\n- [x] second\n")).html).toContain('<input type="checkbox" checked disabled aria-label="second">');
    const hrefs = [...html.matchAll(/href="#([^"]+)"/g)].map((m) => m[1]);
    const ids = new Set([...html.matchAll(/id="([^"]+)"/g)].map((m) => m[1]));
    expect(hrefs.length).toBeGreaterThan(0);
    for (const href of hrefs) expect(ids, `#${href} has a target`).toContain(href);
  });

  it("gives headings readable ids and anchors, and lists h2/h3 in the table of contents", async () => {
    const { html, toc } = await renderText("## Timeline (UTC)\n\n### Contributing factors\n\n#### Deep\n");
    expect(html).toContain('<h2 id="timeline-utc">Timeline (UTC)<a class="anchor"');
    expect(toc).toEqual([
      { id: "timeline-utc", text: "Timeline (UTC)", depth: 2 },
      { id: "contributing-factors", text: "Contributing factors", depth: 3 },
    ]);
  });

  it("drops a leading # heading that repeats the title, and keeps one that does not", async () => {
    expect((await renderText("---\ntitle: Same\n---\n# Same\n\nBody\n")).html).not.toContain("<h1");
    expect((await renderText("---\ntitle: Other\n---\n# Same\n\nBody\n")).html).toContain("<h1");
  });

  it("sanitizes raw HTML: no script, event handler or javascript: URL survives", async () => {
    const { html } = await renderText(
      [
        "<script>alert(1)</script>",
        '<img src="x.png" onerror="alert(2)">',
        "[link](javascript:alert(3))",
        '<a href="vbscript:msgbox(4)">v</a>',
        '<iframe src="https://evil.example"></iframe>',
        '<div style="background:url(javascript:alert(5))" onclick="alert(6)">d</div>',
        "<svg><script>alert(7)</script></svg>",
        '<form action="javascript:alert(8)"><input name="getElementById"></form>',
      ].join("\n\n"),
    );
    expect(html).not.toMatch(/<script|onerror|onclick|javascript:|vbscript:|<iframe|<svg|<form|style=/i);
    expect(html).toContain('<img src="x.png" loading="lazy" decoding="async">');
  });

  it("keeps ordinary inline HTML that is safe", async () => {
    const { html } = await renderText("<details><summary>More</summary>\n\nHidden *text*\n\n</details>\n\nH<sub>2</sub>O");
    expect(html).toContain("<details>");
    expect(html).toContain("<sub>2</sub>");
  });
});

describe("links between postmortems", () => {
  const slugs = new Map([
    ["2023/PM-9 - IP starvation.md", "2023/pm-9-ip-starvation"],
    ["2024/q1/login.md", "2024/q1/login"],
  ]);

  it("point at the target's page, relative, keeping the fragment, and leave other links alone", async () => {
    const pm = parseText(
      "---\ntitle: Outage\n---\n\nSee [PM-9](../2023/PM-9%20-%20IP%20starvation.md#timeline), [root](/2024/q1/login.md), [web](https://x.example/a.md) and [doc](guide.pdf).\n",
      "2024/outage.md",
    );
    const { html } = (await render(pm, { slugs, images: imageStore() }))!;
    expect(html).toContain('href="../../../postmortems/2023/pm-9-ip-starvation/index.html#timeline"');
    expect(html).toContain('href="../../../postmortems/2024/q1/login/index.html"');
    expect(html).toContain('href="https://x.example/a.md"');
    expect(html).toContain('href="guide.pdf"');
    expect(pm.file.messages).toEqual([]);
  });
});

describe("render regressions", () => {
  it("leaves a fragment link with a malformed escape as written (regression: URIError crash)", async () => {
    const { html } = await renderText('[bad](#%zz) <a href="#%E0%A4">x</a> <a href="#%">y</a>\n');
    expect(html).toContain('href="#%zz"');
    expect(html).toContain('href="#%"');
  });
});

describe("in-page links", () => {
  it("reach a heading whose id differs only in case, as on GitHub (regression: [1](#References) was dead)", async () => {
    const { html } = await renderText(
      'See [1](#References), [t](#Timeline-of-events), [fn](#FN-1) and [x](#nowhere).\n\n## References\n\n## Timeline of events\n\n<a id="fn-1"></a>\n',
    );
    expect(html).toContain('href="#references"');
    expect(html).toContain('href="#timeline-of-events"');
    // An id from raw HTML is prefixed by the sanitizer; the link follows it, whatever its case.
    expect(html).toContain('href="#user-content-fn-1"');
    expect(html).toContain('href="#nowhere"');
  });

  it("reach an old-style <a name> anchor, whose name the sanitizer prefixes", async () => {
    const { html } = await renderText('See [there](#Old-Anchor).\n\n<a name="old-anchor"></a>\n\nText.\n');
    expect(html).toContain('name="user-content-old-anchor"');
    expect(html).toContain('href="#user-content-old-anchor"');
  });
});
