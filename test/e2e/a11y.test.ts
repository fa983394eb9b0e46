import { createRequire } from "node:module";
import path from "node:path";
import type { AxeResults, Result, RunOptions } from "axe-core";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build } from "../../src/build.js";
import { repoRoot, tempDir } from "../helpers.js";
import { closeAll, launchChromium, serve } from "./serve.js";

// Every page kind of the starter archive, in light and in dark mode, checked by axe-core
// (WCAG 2.1 A and AA, and axe's best practices) as a reader's browser shows it: served under
// a sub-path with the CSP, the search page with results on it.
const PREFIX = "/eng/postmortems/";
const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
// Only violations are needed: axe then skips the details of what passed.
const RULES: RunOptions = { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] }, resultTypes: ["violations"] };
type Scheme = "light" | "dark";
const SCHEMES: Scheme[] = ["light", "dark"];

let browser: Browser;
let site: Awaited<ReturnType<typeof serve>>;
// The 404 page links its assets from the site root (README, Themes), so it is read at the root.
let rootSite: Awaited<ReturnType<typeof serve>>;

beforeAll(async () => {
  const out = path.join(tempDir(), "site");
  const result = await build({ root: repoRoot, out, offline: true });
  expect(result.ok).toBe(true);
  site = await serve(out, PREFIX);
  rootSite = await serve(out, "/");
  browser = await launchChromium();
});
afterAll(() => closeAll(browser, site, rootSite));

/** A page kind: where it is, and what a reader does before it is checked. */
interface PageKind {
  name: string;
  url: () => string;
  status?: number;
  ready?: (page: Page) => Promise<void>;
  /** Rules this page still breaks, and why: each must still fail, so a fix shows up here. */
  known?: { rules: string[]; why: string };
}

const PAGES: PageKind[] = [
  { name: "home", url: () => site.url + "index.html" },
  { name: "all postmortems", url: () => site.url + "postmortems/index.html" },
  {
    name: "a postmortem",
    url: () => site.url + "postmortems/2024/auth-token-cache-stampede/index.html",
  },
  { name: "a taxonomy index (services)", url: () => site.url + "services/index.html" },
  { name: "a term (services/auth)", url: () => site.url + "services/auth/index.html" },
  { name: "years", url: () => site.url + "years/index.html" },
  { name: "the dashboard", url: () => site.url + "stats/index.html" },
  {
    name: "action items",
    url: () => site.url + "actions/index.html",
    ready: (page) => page.locator("time.overdue").first().waitFor(),
  },
  {
    name: "search, with results",
    url: () => site.url + "search/index.html",
    ready: async (page) => {
      await page.locator("#SearchQuery").fill("dep");
      await page.locator("#SearchResults > li:not(.loading)").nth(2).waitFor();
    },
  },
  { name: "the 404 page", url: () => rootSite.url + "no/such/page/", status: 404 },
];

/** One violation as a reader of a failed test needs it: rule, impact, help and where. */
function describeViolation(violation: Result): string {
  const nodes = violation.nodes.slice(0, 3).map((node) => {
    const check = node.any[0] ?? node.all[0] ?? node.none[0];
    return `    ${node.target.join(" ")}${check ? `: ${check.message}` : ""}`;
  });
  return [`${violation.id} (${violation.impact ?? "no impact"}, ${violation.nodes.length} nodes): ${violation.help}`, ...nodes].join("\n");
}

/**
 * The one tab the page kinds are opened in, one after another (a new tab each cost 0.8 s, most
 * of a page kind's time), with axe-core injected by an init script: it runs outside the page's
 * CSP, as an extension's would.
 */
let tab: Page;
/** What the open page kind logged as an error, or threw. */
const problems: string[] = [];
let expectedStatus = 200;

beforeAll(async () => {
  tab = await browser.newPage();
  await tab.addInitScript({ path: AXE });
  tab.on("console", (message) => {
    const expected = expectedStatus === 404 && message.text().includes("status of 404");
    if (message.type() === "error" && !expected) problems.push(`console: ${message.text()}`);
  });
  tab.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
});

/** Opens `kind`, runs axe over the whole page in light and then dark mode, and returns the violations by scheme. */
async function audit(kind: PageKind): Promise<Record<Scheme, Result[]>> {
  problems.length = 0;
  expectedStatus = kind.status ?? 200;
  const response = await tab.goto(kind.url());
  expect(response?.status()).toBe(expectedStatus);
  await kind.ready?.(tab);
  const found = { light: [] as Result[], dark: [] as Result[] };
  for (const scheme of SCHEMES) {
    await tab.emulateMedia({ colorScheme: scheme });
    const results = await tab.evaluate(
      (options) => (window as unknown as { axe: { run: (context: Document, options: RunOptions) => Promise<AxeResults> } }).axe.run(document, options),
      RULES,
    );
    found[scheme] = results.violations;
  }
  expect(problems).toEqual([]);
  return found;
}

describe("every page kind passes axe-core (WCAG 2.1 AA and best practice) in light and dark mode", () => {
  it.each(PAGES)(
    "$name",
    async (kind) => {
      const found = await audit(kind);
      const report: string[] = [];
      for (const scheme of SCHEMES) {
        for (const violation of found[scheme]) {
          if (!kind.known?.rules.includes(violation.id)) report.push(`${scheme}: ${describeViolation(violation)}`);
        }
        for (const rule of kind.known?.rules ?? []) {
          if (!found[scheme].some((violation) => violation.id === rule)) report.push(`${scheme}: ${rule} passes now: take it out of this page's known rules`);
        }
      }
      expect(report.length, `axe-core on ${kind.name}:\n${report.join("\n")}`).toBe(0);
    },
    120_000,
  );
});
