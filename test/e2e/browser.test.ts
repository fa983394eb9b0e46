import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { build } from "../../src/build.js";
import { repoRoot, tempDir } from "../helpers.js";
import { closeAll, launchChromium, serve } from "./serve.js";

// The starter archive, built and served under a sub-path with the CSP of DESIGN.md, read by
// Debian's Chromium driven by playwright-core.
const PREFIX = "/eng/postmortems/";
let browser: Browser;
let site: Awaited<ReturnType<typeof serve>>;
let page: Page;
let problems: string[] = [];

beforeAll(async () => {
  const out = path.join(tempDir(), "site");
  const result = await build({ root: repoRoot, out, offline: true });
  expect(result.ok).toBe(true);
  site = await serve(out, PREFIX);
  browser = await launchChromium();
});
afterAll(() => closeAll(browser, site));

async function open(url: string): Promise<Page> {
  page = await browser.newPage();
  problems = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("requestfailed", (request) => problems.push(`failed: ${request.url()}`));
  page.on("response", (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  await page.goto(site.url + url);
  return page;
}
afterEach(async () => {
  expect(problems).toEqual([]);
  await closeAll(page);
});

describe("the archive in a browser, under a sub-path, with the CSP", () => {
  it("finds a postmortem by a word only its body contains, and opens it", async () => {
    await open("index.html");
    await page.keyboard.press("/");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("SiteSearch");
    await page.keyboard.type("coalescing");
    await page.keyboard.press("Enter");
    await page.waitForURL(/search\/index\.html\?q=coalescing/);
    const results = page.locator("#SearchResults > li");
    await expect.poll(() => results.count()).toBe(1);
    expect(await results.first().locator("mark").first().textContent()).toMatch(/^coalesc/i);
    await results.first().locator("a").click();
    await page.waitForURL(/postmortems\/2024\/auth-token-cache-stampede\/index\.html$/);
    expect(await page.locator("h1").textContent()).toContain("auth token cache stampede");
  });

  it("finds a misspelled word's postmortem, from the theme's result template, with the word marked", async () => {
    await open("search/index.html");
    // One search box on the search page: the header's, which searches only on Enter, is left out.
    expect(await page.locator("input[type=search]").count()).toBe(1);
    // The box has the focus as the page opens (autofocus): "/" is tried from the page itself.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press("/");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("SearchQuery");
    await page.locator("#SearchQuery").fill("coalesing");
    const results = page.locator("#SearchResults > li");
    await expect.poll(() => results.count()).toBe(1);
    const first = results.first();
    expect(await first.locator("h2.pm-item-title a").getAttribute("href")).toMatch(/auth-token-cache-stampede/);
    const marks = await first.locator(".excerpt mark").allTextContents();
    expect(marks.length).toBeGreaterThan(0);
    for (const mark of marks) expect(mark).toMatch(/^coalesc/i);
    expect(await first.locator(".badge.sev").textContent()).toMatch(/^SEV\d$/);
  });

  it("matches as you type, and narrows results with a severity filter kept in the URL", async () => {
    await open("search/index.html");
    await page.locator("#SearchQuery").fill("dep");
    const results = page.locator("#SearchResults > li");
    await expect.poll(() => results.count()).toBeGreaterThan(2);
    const all = await results.count();
    await page.getByRole("checkbox", { name: /^SEV1/ }).check();
    await expect.poll(() => results.count()).toBeLessThan(all);
    const badges = await results.locator(".badge.sev").allTextContents();
    expect(badges.length).toBeGreaterThan(0);
    expect(new Set(badges)).toEqual(new Set(["SEV1"]));
    expect(page.url()).toContain("q=dep");
    expect(page.url()).toContain("severity=SEV1");
    // The shared URL restores the same search.
    await page.reload();
    await expect.poll(() => results.count()).toBe(badges.length);
    expect(await page.getByRole("checkbox", { name: /^SEV1/ }).isChecked()).toBe(true);
  });

  it("shows the dashboard's charts", async () => {
    await open("stats/index.html");
    const charts = page.locator("svg.chart");
    expect(await charts.count()).toBe(6);
    for (const chart of await charts.all()) {
      const box = await chart.boundingBox();
      expect(box!.width).toBeGreaterThan(200);
      expect(box!.height).toBeGreaterThan(50);
    }
    expect(await page.locator("svg.chart rect").count()).toBeGreaterThan(10);
  });

  it("gives a postmortem's body the whole width when it has no table of contents (a real archive's one-paragraph postmortems)", async () => {
    await open("index.html");
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.locator(".pm-item-title a").first().click();
    const prose = page.locator(".pm-layout .prose");
    const beside = (await prose.boundingBox())!.width;
    expect(await page.locator(".pm-layout > .toc").count()).toBe(1);
    // The same page without its contents, as a postmortem with at most one heading is made.
    await page.locator(".pm-layout > .toc").evaluate((toc) => toc.remove());
    const alone = (await prose.boundingBox())!.width;
    // Not squeezed into the contents' 14rem column: as wide as beside the contents (its measure caps both).
    expect(alone).toBeGreaterThanOrEqual(beside);
    expect(alone).toBeGreaterThan(600);
  });

  it("wraps a long taxonomy value in a rounded box within its column, not an ellipse past it (a real archive's comma-separated product list)", async () => {
    await open("index.html");
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.locator(".pm-item-title a").first().click();
    const chip = page.locator(".chip").first();
    const pill = (await chip.boundingBox())!;
    const long = "GitHub Actions, GitHub Codespaces, GitHub Copilot, CodeQL, Dependabot, GitHub Enterprise Importer, GitHub Pages";
    await chip.evaluate((element, text) => (element.textContent = text), long);
    const box = (await chip.boundingBox())!;
    const column = (await chip.evaluate((element) => element.parentElement!.closest("div, li, dd, section")!.getBoundingClientRect().width)) + 1;
    expect(box.height).toBeGreaterThan(2 * pill.height);
    expect(box.width).toBeLessThanOrEqual(column);
    // Rounded corners of a line's height, as the one-line chip has, not half the box's height.
    const radius = await chip.evaluate((element) => parseFloat(getComputedStyle(element).borderTopLeftRadius));
    expect(radius).toBeLessThanOrEqual(pill.height / 2 + 1);
  });

  it("marks overdue action items in the reader's browser", async () => {
    await open("actions/index.html");
    // The starter archive's open items are due in 2023–2025, before any day these tests run.
    await expect.poll(() => page.locator("time.overdue").count()).toBeGreaterThan(0);
  });
});
