import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { build } from "../../src/build.js";
import { NAMES_PER_PAGE } from "../../src/shared/search/format.js";
import { numberedArchive } from "../helpers.js";
import { closeAll, launchChromium, serve } from "./serve.js";

// More postmortems than one page of fragment names holds: the browser finds each result's
// fragment through the page that has its name (search/n/), whichever page that is.
const COUNT = NAMES_PER_PAGE + 44;
let browser: Browser;
let site: Awaited<ReturnType<typeof serve>>;

beforeAll(async () => {
  const root = numberedArchive(COUNT);
  const result = await build({ root, offline: true, workers: 0 });
  expect(result.ok).toBe(true);
  site = await serve(path.join(root, "dist"), "/");
  browser = await launchChromium();
});
afterAll(() => closeAll(browser, site));

it("finds each postmortem's excerpt through the page of names that has it, on either page, both fetched as the page opens", async () => {
  const page = await browser.newPage();
  const problems: string[] = [];
  const namePages = new Set<string>();
  page.on("pageerror", (error) => problems.push(error.message));
  page.on("response", (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
    if (response.url().includes("/search/n/")) namePages.add(response.url());
  });
  await page.goto(`${site.url}search/index.html`);
  // Two pages (up to 512 postmortems): both fetched as the page opens, before any query, so
  // that a first result waits for its fragment alone.
  await expect.poll(() => namePages.size).toBe(2);
  for (let i = 0; i < COUNT; i += 23) {
    await page.locator("#SearchQuery").fill(`number ${100 + i}`);
    const results = page.locator("#SearchResults > li:not(.loading)");
    await expect.poll(() => results.first().locator("h2").textContent()).toContain(`Outage number ${100 + i}`);
    expect(await results.count()).toBe(1);
  }
  expect(namePages.size).toBe(2);
  expect(problems).toEqual([]);
  await page.close();
});
