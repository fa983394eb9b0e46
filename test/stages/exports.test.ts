import fs from "node:fs";
import path from "node:path";
import { XMLParser } from "fast-xml-parser";
import { SyntaxValidator } from "fast-xml-validator";
import { beforeAll, describe, expect, it } from "vitest";
import { build } from "../../src/build.js";
import type { ResolvedConfig } from "../../src/config.js";
import { exportFiles } from "../../src/stages/exports.js";
import type { Site } from "../../src/stages/organize.js";
import type { RenderedPostmortem } from "../../src/types.js";
import { fixtureArchive, listFiles, tempDir } from "../helpers.js";

/** What the tests read of the Atom feed as fast-xml-parser gives it (attributes as `@_name`). */
interface ParsedFeed {
  readonly feed: Record<string, unknown> & { id: string; link: Record<string, string>[]; entry: Record<string, unknown>[] };
}

/** What the tests read of `postmortems.json`. */
interface JsonExport {
  readonly count: number;
  readonly postmortems: readonly { slug: string; url: string; title: string }[];
}

describe("feed, JSON export, sitemap and 404", () => {
  const out = path.join(tempDir(), "site");
  const read = (file: string) => fs.readFileSync(path.join(out, file), "utf8");
  beforeAll(async () => {
    expect((await build({ offline: true, root: fixtureArchive, out, url: "https://intranet.example.com/eng/postmortems" })).ok).toBe(true);
  });

  it("writes an Atom feed: well-formed, every required element, newest first, absolute links", () => {
    const xml = read("feed.xml");
    expect(SyntaxValidator.validate(xml)).toBe(true);
    const parser = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === "entry" || name === "link" || name === "category" });
    const { feed } = parser.parse(xml) as ParsedFeed;
    expect(feed["@_xmlns"]).toBe("http://www.w3.org/2005/Atom");
    for (const key of ["title", "id", "updated", "author"]) expect(feed[key], key).toBeDefined();
    expect(feed.id).toBe("https://intranet.example.com/eng/postmortems/");
    expect(feed.link.map((l) => l["@_rel"])).toEqual(["alternate", "self"]);
    const entries = feed.entry;
    expect(entries.map((e) => e.title)).toEqual([
      "Payments latency from a slow replica",
      "Login outage after token cache flush",
      "Search index rebuild ran out of memory",
      "CDN certificate expired",
    ]);
    for (const entry of entries) {
      for (const key of ["id", "title", "updated", "link"]) expect(entry[key], key).toBeDefined();
      expect(String(entry.updated)).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?Z$/);
      expect((entry.link as Record<string, string>[])[0]!["@_href"]).toMatch(
        /^https:\/\/intranet\.example\.com\/eng\/postmortems\/postmortems\/.+\/index\.html$/,
      );
    }
  });

  it("exports every postmortem as JSON matching its page", () => {
    const text = read("postmortems.json");
    // Written a postmortem at a time, it is what JSON.stringify writes with an indent of 1.
    expect(text).toBe(`${JSON.stringify(JSON.parse(text), null, 1)}\n`);
    const data = JSON.parse(text) as JsonExport;
    expect(data.count).toBe(4);
    const login = data.postmortems.find((p) => p.slug === "2024/q1/login-outage");
    expect(login).toMatchObject({
      title: "Login outage after token cache flush",
      severity: "SEV1",
      services: ["auth", "api-gateway"],
      duration_minutes: 90,
      time_to_resolve_minutes: 90,
      actions: [
        { text: "Add TTL jitter", done: false, owner: "mlopez", due: "2024-04-01", ticket: "OPS-1" },
        { text: "Roll back the flush", done: true, owner: "dana" },
      ],
    });
    for (const pm of data.postmortems) {
      const page = read(pm.url.replace("https://intranet.example.com/eng/postmortems/", ""));
      expect(page).toContain(`<h1>${pm.title}</h1>`);
    }
  });

  it("writes a sitemap of absolute URLs when url is set, and none without", async () => {
    const xml = read("sitemap.xml");
    expect(SyntaxValidator.validate(xml)).toBe(true);
    expect(xml).toContain("<loc>https://intranet.example.com/eng/postmortems/postmortems/2024/q1/login-outage/index.html</loc>");
    const bare = path.join(tempDir(), "site");
    await build({ offline: true, root: fixtureArchive, out: bare });
    expect(listFiles(bare)).not.toContain("sitemap.xml");
    expect(fs.readFileSync(path.join(bare, "feed.xml"), "utf8")).toContain("<id>urn:hindsight:2024/q1/login-outage</id>");
  });

  it("links the 404 page from the site's root path", () => {
    const page = read("404.html");
    expect(page).toContain('href="/eng/postmortems/index.html"');
    expect(page).toContain('action="/eng/postmortems/search/index.html"');
  });
});

describe("feed of an archive without dates", () => {
  it("gives no 1970 date when no postmortem is dated (regression: <updated>1970-01-01T00:00:00Z)", async () => {
    const root = tempDir();
    fs.mkdirSync(path.join(root, "content"));
    fs.writeFileSync(path.join(root, "content", "outage.md"), "# Outage\n\nThe cache was flushed.\n");
    const out = path.join(root, "dist");
    const result = await build({ offline: true, root, out, fields: { required: [] }, sections: [], cache: false });
    expect(result.ok).toBe(true);
    const xml = fs.readFileSync(path.join(out, "feed.xml"), "utf8");
    expect(SyntaxValidator.validate(xml)).toBe(true);
    expect(xml).not.toContain("1970");
    expect(xml).not.toContain("<entry>");
  });
});

describe("postmortems.json, written a postmortem at a time", () => {
  const pm = (slug: string, summary: string) =>
    ({
      source: { relPath: `${slug}.md` },
      meta: {
        slug,
        title: `Outage ${slug}`,
        date: "2024-05-01",
        severity: "SEV2",
        services: ["api", "db"],
        tags: [],
        status: "final",
        summary,
        impact: undefined,
        authors: ["dana"],
        incidentId: undefined,
        data: { started: "2024-05-01 10:00" },
        durationMinutes: 12.25,
        actions: [{ text: "Add alerts", done: false, owner: "dana" }],
      },
    }) as unknown as RenderedPostmortem;

  it("is what JSON.stringify writes with an indent of 1, for none, one and several postmortems", () => {
    const config = { title: "Postmortems", url: undefined } as unknown as ResolvedConfig;
    for (const postmortems of [[], [pm("a", "One line.")], [pm("a", "Emoji 😀, a line\u2028separator"), pm("b", "Lone \ud800 surrogate"), pm("c", "")]]) {
      const json = exportFiles({ postmortems } as unknown as Site, config).find((file) => file.path === "postmortems.json");
      const text = [...(json?.chunks?.() ?? [])].join("");
      expect(text).toBe(json?.make());
      expect(text).toBe(`${JSON.stringify(JSON.parse(text), null, 1)}\n`);
      expect((JSON.parse(text) as JsonExport).postmortems.map((p) => p.slug)).toEqual(postmortems.map((p) => p.meta.slug));
    }
  });
});
