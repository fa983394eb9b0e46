import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { build, type BuildResult } from "../src/build.js";
import { fixtureArchive, listFiles, tempDir, withoutThemeScripts } from "./helpers.js";
import { brokenLinks } from "./links.js";

/** Page text without tags, for assertions on what a reader sees. */
function textOf(html: string): string {
  return html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");
}

describe("build of the fixture archive", () => {
  const out = path.join(tempDir(), "site");
  let result: BuildResult;
  let files: string[];
  const read = (page: string) => fs.readFileSync(path.join(out, page), "utf8");

  beforeAll(async () => {
    result = await build({ offline: true, root: fixtureArchive, out });
    files = listFiles(out);
  });

  it("succeeds and gives every non-draft postmortem a page", () => {
    expect(result.ok).toBe(true);
    expect(result.postmortems).toBe(4);
    expect(files.filter((f) => f.startsWith("postmortems/") && f !== "postmortems/index.html")).toEqual([
      "postmortems/2023/2023-03-04-cdn-cert/index.html",
      "postmortems/2023/search-index-rebuild/index.html",
      "postmortems/2024/payments-latency/index.html",
      "postmortems/2024/q1/login-outage/index.html",
    ]);
  });

  it("lists postmortems newest first on the home page, with severity, services and date", () => {
    const home = textOf(read("index.html"));
    const order = ["Payments latency", "Login outage", "Search index rebuild", "CDN certificate expired"].map((t) => home.indexOf(t));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(home).toMatch(/SEV1 10 Feb 2024 Login outage after token cache flush/);
    expect(read("index.html")).toContain('href="./services/api-gateway/index.html">api-gateway</a>');
    expect(home).not.toContain("Billing export delayed");
  });

  it("indexes services with the right counts and postmortems", () => {
    const index = textOf(read("services/index.html"));
    for (const [service, count] of [
      ["api-gateway", 1],
      ["auth", 2],
      ["cdn", 1],
      ["payments", 1],
      ["search", 1],
    ] as const) {
      expect(index).toContain(`${service} ${count}`);
    }
    expect(index).not.toContain("billing");
    const auth = textOf(read("services/auth/index.html"));
    expect(auth).toContain("2 postmortems");
    expect(auth).toContain("Login outage after token cache flush");
    expect(auth).toContain("CDN certificate expired");
    expect(auth).not.toContain("Payments latency");
  });

  it("indexes severities worst first with counts, aliases normalised", () => {
    const index = textOf(read("severity/index.html"));
    expect(index).toContain("SEV1 1 10 Feb 2024 SEV2 1 1 May 2024 SEV3 2 20 Nov 2023 SEV4 0 — SEV5 0 —");
    expect(textOf(read("severity/sev2/index.html"))).toContain("Payments latency from a slow replica");
    expect(textOf(read("severity/sev4/index.html"))).toContain("No postmortems at this level");
  });

  it("renders a postmortem page: badge, linked services, facts, table of contents, body, neighbours", () => {
    const page = read("postmortems/2024/q1/login-outage/index.html");
    expect(page).toContain('<a class="badge sev"');
    expect(page).toContain('href="../../../../services/auth/index.html"');
    const text = textOf(page);
    expect(text).toContain("Duration 1h 30m");
    expect(text).toContain("Impact All logins failed for 90 minutes.");
    expect(page).toContain('<a href="#timeline">Timeline</a>');
    expect(page).toContain('<h2 id="timeline">');
    expect(page).toContain('rel="prev" href="../../../../postmortems/2023/search-index-rebuild/index.html"');
    expect(page).toContain('rel="next" href="../../../../postmortems/2024/payments-latency/index.html"');
  });

  it("indexes years, newest first, with their postmortems", () => {
    expect(textOf(read("years/index.html"))).toContain("2024 2 1 May 2024 2023 2 20 Nov 2023");
    const y2024 = textOf(read("years/2024/index.html"));
    expect(y2024).toContain("2 postmortems");
    expect(y2024).toContain("Payments latency from a slow replica");
    expect(y2024).not.toContain("Search index rebuild");
  });

  it("gathers every action item on actions/, open first, linked to its postmortem", () => {
    const page = read("actions/index.html");
    const text = textOf(page);
    expect(text).toMatch(/3 open items and 2 done items/);
    expect(text).toMatch(/Open Item Owner Due Postmortem ○ Add TTL jitter OPS-1 @mlopez 1 Apr 2024 Login outage after token cache flush/);
    expect(page).toContain('<time class="due" datetime="2024-04-01" data-due>');
    expect(page).toContain('href="../postmortems/2024/q1/login-outage/index.html"');
    expect(textOf(read("postmortems/2024/q1/login-outage/index.html"))).toContain("Action items 1 open, 1 done");
  });

  it("lists related postmortems: shared services first", () => {
    const related = read("postmortems/2024/q1/login-outage/index.html").split('id="Related"')[1]!.split("</section>")[0]!;
    expect(related).toContain("CDN certificate expired");
    expect(related).not.toContain("Payments latency");
  });

  it("falls back to the H1 for a title and the file name for a date, with a warning and an info message", () => {
    const cdn = result.files.find((f) => f.path.endsWith("2023-03-04-cdn-cert.md"))!;
    expect(cdn.messages.map((m) => m.ruleId).sort()).toEqual(["extract/date-from-path", "title/fallback"]);
    expect(textOf(read("postmortems/2023/2023-03-04-cdn-cert/index.html"))).toContain("4 Mar 2023");
  });

  it("sanitizes what the content tried to inject", () => {
    const page = read("postmortems/2023/search-index-rebuild/index.html");
    expect(withoutThemeScripts(page)).not.toMatch(/<script|onerror|javascript:/i);
  });

  it("links only to files that exist, all relatively", () => {
    // 404.html is served at any depth, so it links from the site root (see pages.ts).
    const pages = files.filter((f) => f !== "404.html");
    expect(brokenLinks(out, pages)).toEqual([]);
    for (const page of pages.filter((f) => f.endsWith(".html"))) {
      expect(read(page), page).not.toMatch(/(href|src)="\/(?!\/)/);
    }
  });

  it("copies public/ and the theme's content-hashed assets", () => {
    expect(files.some((f) => /^assets\/favicon\.[0-9a-f]{10}\.svg$/.test(f))).toBe(true);
    expect(files.some((f) => /^assets\/style\.[0-9a-f]{10}\.css$/.test(f))).toBe(true);
  });

  it("is deterministic: a second build is byte-identical", async () => {
    const again = path.join(tempDir(), "site");
    await build({ offline: true, root: fixtureArchive, out: again });
    expect(listFiles(again)).toEqual(files);
    for (const file of files) expect(fs.readFileSync(path.join(again, file)).equals(fs.readFileSync(path.join(out, file))), file).toBe(true);
  });

  it("includes drafts only when asked", async () => {
    const withDrafts = path.join(tempDir(), "site");
    const run = await build({ offline: true, root: fixtureArchive, out: withDrafts, drafts: true });
    expect(run.postmortems).toBe(5);
    expect(fs.readFileSync(path.join(withDrafts, "postmortems/2024/draft-billing/index.html"), "utf8")).toContain("draft");
    expect(textOf(fs.readFileSync(path.join(withDrafts, "services/index.html"), "utf8"))).toContain("billing 1");
  });
});

describe("a build that fails", () => {
  it("writes nothing and leaves the previous archive as it was", async () => {
    const root = tempDir();
    fs.cpSync(fixtureArchive, root, { recursive: true });
    const out = path.join(root, "dist");
    expect((await build({ offline: true, root })).ok).toBe(true);
    const before = listFiles(out).map((f) => [f, fs.readFileSync(path.join(out, f), "utf8")]);

    fs.writeFileSync(path.join(root, "content/2024/broken.md"), "---\ntitle: [unclosed\n---\n\nBody\n");
    fs.writeFileSync(path.join(root, "content/2024/clash.md"), "---\nslug: 2024/q1/login-outage\n---\n# Clash\n");
    const result = await build({ offline: true, root });
    expect(result.ok).toBe(false);
    const problems = result.files.flatMap((f) => f.messages.filter((m) => m.fatal).map((m) => [path.basename(f.path), m.ruleId, m.line]));
    expect(problems).toEqual(
      expect.arrayContaining([
        ["broken.md", "frontmatter/syntax", 2],
        ["clash.md", "slug/unique", 2],
        ["login-outage.md", "slug/unique", 1],
      ]),
    );
    expect(listFiles(out).map((f) => [f, fs.readFileSync(path.join(out, f), "utf8")])).toEqual(before);
    expect(
      fs
        .readdirSync(root)
        .filter((name) => name !== ".cache")
        .sort(),
    ).toEqual(["content", "dist"]);
  });
});

describe("taxonomies", () => {
  it("without services and severity pages, shows them as text instead of dead links", async () => {
    const out = path.join(tempDir(), "site");
    const result = await build({ offline: true, root: fixtureArchive, out, taxonomies: ["tags"] });
    expect(result.ok).toBe(true);
    const files = listFiles(out);
    expect(files.some((f) => f.startsWith("services/"))).toBe(false);
    expect(
      brokenLinks(
        out,
        files.filter((f) => f !== "404.html"),
      ),
    ).toEqual([]);
    expect(fs.readFileSync(path.join(out, "index.html"), "utf8")).toContain('<span class="chip">auth</span>');
  });

  it("refuses a taxonomy named like one of the archive's own folders", async () => {
    await expect(build({ root: fixtureArchive, out: path.join(tempDir(), "site"), taxonomies: ["postmortems"] })).rejects.toThrow(
      /Invalid config in options:\n {2}`taxonomies.0`: expected a name other than postmortems/,
    );
  });
});

describe("processing in worker threads", () => {
  it("gives the same archive, byte for byte, as processing in the main thread", async () => {
    const { repoRoot } = await import("./helpers.js");
    const outs = [path.join(tempDir(), "threads"), path.join(tempDir(), "main")];
    const [threads, main] = [
      await build({ root: repoRoot, out: outs[0], offline: true, workers: 2, drafts: true }),
      await build({ root: repoRoot, out: outs[1], offline: true, workers: 0, drafts: true }),
    ];
    expect(threads.ok && main.ok).toBe(true);
    expect(threads.images).toEqual(main.images);
    expect(threads.files.map((f) => f.messages.map(String))).toEqual(main.files.map((f) => f.messages.map(String)));
    const files = listFiles(outs[0]!);
    expect(files).toEqual(listFiles(outs[1]!));
    for (const file of files) expect(fs.readFileSync(path.join(outs[0]!, file)), file).toEqual(fs.readFileSync(path.join(outs[1]!, file)));
  });
});
