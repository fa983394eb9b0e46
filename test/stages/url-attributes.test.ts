import type { Element, Properties } from "hast";
import { fromHtml } from "hast-util-from-html";
import { visit } from "unist-util-visit";
import { describe, expect, it } from "vitest";
import { sanitizeSchema } from "../../src/stages/render.js";
import { imageStore, makePng, parseText, render } from "../helpers.js";

// Regression (issue 13): `<source srcset>` passed GitHub's sanitize schema with no protocol
// check and missed the image stage, so a reader's browser fetched remote, `data:` and
// intranet URLs unasked. Every element the schema allows gets every attribute that can hold
// a URL, with hostile URLs; none may reach the page but in a link (clicked, not fetched) or
// an image that went through the image stage (stored, or kept as written when its download
// failed, which the offline store here always does).

/** HTML attributes whose value is a URL (or a list of them), from the HTML and SVG specs and legacy HTML. */
const URL_ATTRIBUTES = [
  "href",
  "src",
  "srcset",
  "imagesrcset",
  "cite",
  "longdesc",
  "poster",
  "background",
  "action",
  "formaction",
  "data",
  "xlink:href",
  "ping",
  "itemtype",
  "itemid",
  "manifest",
  "codebase",
  "classid",
  "archive",
  "profile",
  "lowsrc",
  "dynsrc",
  "icon",
  "attributionsrc",
  "content",
];

/** Hostile URLs: script, a document, the cloud metadata service, a tracking pixel, and the same disguised. */
const HOSTILE = [
  "javascript:alert(1)",
  "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
  "http://169.254.169.254/x",
  "https://tracker.example/p.gif",
  " JaVaScRiPt:alert(1)",
  "java&#x09;script:alert(1)",
  "DATA:image/svg+xml,<svg onload=alert(1)>",
  "//169.254.169.254/x",
];

/** What marks a value as one of the hostile URLs, once whitespace and case are gone. */
const TRACES = ["javascript:", "data:", "169.254.169.254", "tracker.example"];

/** The context an element needs to survive the HTML parser and the schema's `ancestors`. */
function inContext(tag: string, attributes: string): string {
  const open = `<${tag} ${attributes}>`;
  switch (tag) {
    case "td":
    case "th":
      return `<table><tbody><tr>${open}x</${tag}></tr></tbody></table>`;
    case "tr":
      return `<table><tbody>${open}<td>x</td></tr></tbody></table>`;
    case "thead":
    case "tbody":
    case "tfoot":
      return `<table>${open}<tr><td>x</td></tr></${tag}></table>`;
    case "table":
      return `${open}<tbody><tr><td>x</td></tr></tbody></table>`;
    case "li":
      return `<ul>${open}x</li></ul>`;
    case "dt":
    case "dd":
      return `<dl>${open}x</${tag}></dl>`;
    case "rp":
    case "rt":
      return `<ruby>x${open}y</${tag}></ruby>`;
    case "summary":
      return `<details>${open}x</summary>y</details>`;
    case "source":
      return `<picture>${open}</picture>`;
    case "input":
      return `<input type="checkbox" disabled ${attributes}>`;
    case "img":
      return `<img alt="x" ${attributes}>`;
    case "br":
    case "hr":
      return open;
    default:
      return `${open}x</${tag}>`;
  }
}

/** Every element the schema allows with every URL attribute, and the Markdown ways to write a URL. */
function postmortem(url: string): string {
  const attribute = (name: string) => (name === "content" ? `content="0;url=${url}"` : `${name}="${url}"`);
  const html = (sanitizeSchema.tagNames ?? []).flatMap((tag) => URL_ATTRIBUTES.map((name) => inContext(tag, attribute(name))));
  const style = `<div style="background:url(${url})">x</div>`;
  const pictures = [
    `<picture><source srcset="${url} 1x, ${url} 2x" media="(prefers-color-scheme: dark)"><img src="${url}" alt="x"></picture>`,
    `<img src="${url}" srcset="${url} 2x" sizes="100vw" alt="x">`,
  ];
  const markdown = [`[a](${url})`, `![a](${url})`, `<${url}>`, "[ref][r] ![ref][r]", "", `[r]: ${url}`];
  return ["---", "title: URLs", "---", "", "<div>", ...html, style, ...pictures, "</div>", "", ...markdown, ""].join("\n");
}

/**
 * An attribute's value as one string, without the whitespace, control characters and case a
 * browser ignores in a URL (it ignores the C0 ones; DEL and C1 go too, which only makes the
 * check stricter).
 */
function squashed(value: Properties[string]): string {
  const text = Array.isArray(value) ? value.join(" ") : String(value);
  return text.replace(/[\s\p{Cc}]/gu, "").toLowerCase();
}

describe("URLs in attributes", () => {
  it("the schema allows no URL attribute that the test does not cover", () => {
    const allowed = Object.values(sanitizeSchema.attributes ?? {})
      .flat()
      .map((a) => (typeof a === "string" ? a : a[0]).toLowerCase());
    // hast names attributes in camel case: `srcSet`, `longDesc`, `xLinkHref`.
    const covered = new Set(URL_ATTRIBUTES.map((name) => name.replace(":", "").toLowerCase()));
    const notUrls = new Set(["hreflang", "nohref"]);
    const urlLike = allowed.filter(
      (name) => !notUrls.has(name) && /href|src|url|uri|cite|longdesc|poster|background|action|^data$|ping|itemtype|itemid|codebase|archive|profile/.test(name),
    );
    expect(urlLike.filter((name) => !covered.has(name))).toEqual([]);
  });

  it.each(HOSTILE)("no hostile URL reaches the page but in a link or a failed remote image: %s", async (url) => {
    const parsed = parseText(postmortem(url));
    const rendered = await render(parsed, { slugs: new Map(), images: imageStore() });
    const leaks: string[] = [];
    let links = 0;
    visit(fromHtml(rendered!.html, { fragment: true }), "element", (node: Element) => {
      for (const [name, value] of Object.entries(node.properties)) {
        const text = squashed(value);
        if (!TRACES.some((trace) => text.includes(trace))) continue;
        const link = node.tagName === "a" && name === "href" && /^(https?:)?\/\//.test(text);
        const remoteImage = node.tagName === "img" && name === "src" && /^(https?:)?\/\//.test(text);
        if (link) links++;
        if (!link && !remoteImage) leaks.push(`<${node.tagName} ${name}="${String(value)}">`);
      }
    });
    expect(leaks).toEqual([]);
    // The links are still there: the test did look at a page with the URL in it.
    if (/^(https?:)?\/\//.test(url)) expect(links).toBeGreaterThan(0);
    // An image kept as written is one whose download failed, and that says so.
    if (/<img[^>]+src="(https?:)?\/\//.test(rendered!.html)) {
      expect(parsed.file.messages.map((m) => m.ruleId)).toContain("image/unreachable");
    }
  });

  it("keeps a picture's image, stored, and drops its sources", async () => {
    const png = `data:image/png;base64,${makePng(1, 1).toString("base64")}`;
    const rendered = await render(
      parseText(`---\ntitle: P\n---\n\n<picture><source srcset="${png} 1x" media="(prefers-color-scheme: dark)"><img src="${png}" alt="A graph"></picture>\n`),
      {
        slugs: new Map(),
        images: imageStore(),
      },
    );
    const picture = fromHtml(rendered!.html, { fragment: true }).children[0] as Element;
    const [img] = (picture.children[0] as Element).children as Element[];
    expect(img).toMatchObject({ tagName: "img", properties: { alt: "A graph", width: 1, height: 1 } });
    expect(img!.properties.src).toMatch(/^(\.\.\/)+images\/[0-9a-f]{20}\.png$/);
    expect(rendered!.html).not.toMatch(/source|srcset|data:/i);
  });
});
