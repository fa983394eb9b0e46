import fs from "node:fs";
import path from "node:path";
import type { Element } from "hast";
import { fromHtml } from "hast-util-from-html";
import type { Browser } from "playwright-core";
import { visit } from "unist-util-visit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build } from "../../src/build.js";
import { listFiles, repoRoot, tempDir } from "../helpers.js";
import { closeAll, launchChromium, serve } from "./serve.js";

// test/fixtures/xss: our own collection of script-injection payloads, in the body and in every
// frontmatter field that reaches a page. Built, the archive must contain nothing that runs.
const fixture = path.join(repoRoot, "test", "fixtures", "xss");
const out = path.join(tempDir(), "site");
let pages: string[] = [];

beforeAll(async () => {
  const result = await build({ root: fixture, out, offline: true, fields: { required: [] }, sections: [] });
  expect(result.files.flatMap((f) => f.messages.filter((m) => m.fatal).map(String))).toEqual([]);
  pages = listFiles(out).filter((f) => f.endsWith(".html"));
});

describe("an archive of script-injection payloads", () => {
  it("has no executable markup in any page", () => {
    expect(pages.length).toBeGreaterThan(10);
    const theme = new Set(["SiteSearch", "SearchQuery", "NotFoundSearch"]);
    for (const page of pages) {
      const tree = fromHtml(fs.readFileSync(path.join(out, page), "utf8"));
      visit(tree, "element", (node: Element) => {
        const where = `${page}: <${node.tagName}>`;
        if (node.tagName === "script") {
          // Only the theme's own files, never inline code.
          expect(node.children, where).toEqual([]);
          expect(String(node.properties.src), where).toMatch(
            /^(\.\.\/|\.\/|\/)*(assets\/[a-z-]+\.[0-9a-f]{10}|search\/[0-9a-f]{12}\/search|[0-9a-f]{12}\/search)\.js$/,
          );
        }
        expect(["iframe", "object", "embed", "base", "math", "style", "frame", "applet"], where).not.toContain(node.tagName);
        if (node.tagName === "meta") expect(node.properties.httpEquiv, where).toBeUndefined();
        // Inputs: the theme's search boxes and filters, and task-list checkboxes (disabled).
        if (node.tagName === "input") {
          const checkbox = node.properties.type === "checkbox" && (node.properties.disabled === true || page === "search/index.html");
          expect(theme.has(String(node.properties.id)) || checkbox, where).toBe(true);
        }
        for (const [name, value] of Object.entries(node.properties)) {
          expect(/^on/i.test(name), `${where} ${name}`).toBe(false);
          if (["href", "src", "action", "formAction", "srcSet", "data", "poster", "xLinkHref"].includes(name)) {
            expect(String(value).replace(/[\s\p{Cc}]/gu, ""), `${where} ${name}`).not.toMatch(/^(javascript|vbscript|data:text)/i);
          }
          if (name === "style") expect(String(value), where).not.toMatch(/url\(|expression/i);
          // Clobbering names and ids from content are prefixed.
          if (name === "name" || name === "id") expect(["getElementById", "cookie"], where).not.toContain(String(value));
        }
      });
    }
  });

  it("keeps the payload text visible as text, escaped", () => {
    const page = fs.readFileSync(path.join(out, "postmortems/payloads/index.html"), "utf8");
    expect(page).toContain("<h1>&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt; Payloads in the body</h1>");
    expect(page).toContain("&lt;/dd&gt;&lt;script&gt;alert(&#39;impact&#39;)&lt;/script&gt;");
  });

  describe("in Chromium, without any CSP to help", () => {
    let browser: Browser;
    let site: Awaited<ReturnType<typeof serve>>;
    beforeAll(async () => {
      site = await serve(out, "/", { csp: false });
      browser = await launchChromium();
    });
    afterAll(() => closeAll(browser, site));

    it("opens every page, points at and focuses each of its elements, and no dialog opens", async () => {
      const dialogs: string[] = [];
      const page = await browser.newPage();
      page.on("dialog", (dialog) => {
        dialogs.push(`${page.url()}: ${dialog.message()}`);
        void dialog.dismiss();
      });
      let reached = 0;
      for (const file of pages) {
        await page.goto(site.url + file);
        // What a reader's pointer and keyboard do to an element, to every element of the page
        // at once (a hover a round trip each took 27 s for 80 of each page's).
        reached += await page.evaluate(() => {
          const elements = document.querySelectorAll("body *");
          for (const element of elements) {
            for (const type of ["pointerover", "pointerenter", "mouseover", "mouseenter", "mousemove", "pointerdown", "mousedown", "pointerup", "mouseup"]) {
              element.dispatchEvent(new MouseEvent(type, { bubbles: true }));
            }
            for (const type of ["focus", "focusin", "blur", "focusout"]) element.dispatchEvent(new FocusEvent(type, { bubbles: true }));
            if (element instanceof HTMLElement) element.focus();
          }
          return elements.length;
        });
        await page.keyboard.press("Tab");
      }
      await page.close();
      expect(reached).toBeGreaterThan(pages.length * 20);
      expect(dialogs).toEqual([]);
    });
  });
});
