import { describe, expect, it } from "vitest";
import { renderText } from "./helpers.js";

describe("render", () => {
  it("renders GFM: tables, task lists and footnotes whose links reach their targets", () => {
    const { html } = renderText(
      "| a | b |\n|---|---|\n| 1 | 2 |\n\n- [ ] open\n- [x] done\n\nText[^1].\n\n[^1]: A note.\n",
    );
    expect(html).toContain("<table>");
    expect(html).toContain('<input type="checkbox" disabled>');
    const hrefs = [...html.matchAll(/href="#([^"]+)"/g)].map((m) => m[1]);
    const ids = new Set([...html.matchAll(/id="([^"]+)"/g)].map((m) => m[1]));
    expect(hrefs.length).toBeGreaterThan(0);
    for (const href of hrefs) expect(ids, `#${href} has a target`).toContain(href);
  });

  it("gives headings readable ids and anchors, and lists h2/h3 in the table of contents", () => {
    const { html, toc } = renderText("## Timeline (UTC)\n\n### Contributing factors\n\n#### Deep\n");
    expect(html).toContain('<h2 id="timeline-utc">Timeline (UTC)<a class="anchor"');
    expect(toc).toEqual([
      { id: "timeline-utc", text: "Timeline (UTC)", depth: 2 },
      { id: "contributing-factors", text: "Contributing factors", depth: 3 },
    ]);
  });

  it("drops a leading # heading that repeats the title, and keeps one that does not", () => {
    expect(renderText("---\ntitle: Same\n---\n# Same\n\nBody\n").html).not.toContain("<h1");
    expect(renderText("---\ntitle: Other\n---\n# Same\n\nBody\n").html).toContain("<h1");
  });

  it("sanitizes raw HTML: no script, event handler or javascript: URL survives", () => {
    const { html } = renderText(
      [
        "<script>alert(1)</script>",
        '<img src="x.png" onerror="alert(2)">',
        "[link](javascript:alert(3))",
        '<a href="vbscript:msgbox(4)">v</a>',
        '<iframe src="https://evil.example"></iframe>',
        '<div style="background:url(javascript:alert(5))" onclick="alert(6)">d</div>',
        '<svg><script>alert(7)</script></svg>',
        '<form action="javascript:alert(8)"><input name="getElementById"></form>',
      ].join("\n\n"),
    );
    expect(html).not.toMatch(/<script|onerror|onclick|javascript:|vbscript:|<iframe|<svg|<form|style=/i);
    expect(html).toContain('<img src="x.png">');
  });

  it("keeps ordinary inline HTML that is safe", () => {
    const { html } = renderText("<details><summary>More</summary>\n\nHidden *text*\n\n</details>\n\nH<sub>2</sub>O");
    expect(html).toContain("<details>");
    expect(html).toContain("<sub>2</sub>");
  });
});
