import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { build } from "../../src/build.js";
import { resolveConfig } from "../../src/config.js";
import { organize, termIdOf, type Site } from "../../src/stages/organize.js";
import { renderText, tempDir } from "../helpers.js";

const pm = (relPath: string, front: string) => renderText(`---\n${front}\n---\n\nBody\n`, relPath);
type Rendered = Awaited<ReturnType<typeof pm>>;

describe("organize", () => {
  let a: Rendered, b: Rendered, c: Rendered, d: Rendered, site: Site;
  beforeAll(async () => {
    a = await pm("a.md", "title: Alpha\ndate: 2024-01-01\nseverity: SEV2\nservices: [Auth, db]\ntags: [x]");
    b = await pm("b.md", "title: Bravo\ndate: 2024-03-01\nseverity: SEV1\nservices: [auth]");
    c = await pm("c.md", "title: Charlie\ndate: 2024-03-01\nseverity: SEV2\nservices: [zeta, auth, auth]");
    d = await pm("d.md", "title: Delta\nservices: [db]");
    site = organize([a, d, c, b], resolveConfig({}, "/p"));
  });

  it("sorts newest first, by title on the same date, undated last", () => {
    expect(site.postmortems.map((p) => p.meta.title)).toEqual(["Bravo", "Charlie", "Alpha", "Delta"]);
  });

  it("groups services under normalised ids, counts each postmortem once, sorts terms alphabetically", () => {
    const services = site.taxonomies.find((t) => t.key === "services")!;
    expect(services.terms.map((t) => [t.id, t.label, t.postmortems.length])).toEqual([
      ["auth", "auth", 3],
      ["db", "db", 2],
      ["zeta", "zeta", 1],
    ]);
    // Within a term, archive order.
    expect(services.terms[0]!.postmortems.map((p) => p.meta.title)).toEqual(["Bravo", "Charlie", "Alpha"]);
  });

  it("lists every severity level worst first, with its postmortems", () => {
    const severity = site.taxonomies.find((t) => t.key === "severity")!;
    expect(severity.terms.map((t) => [t.id, t.postmortems.length])).toEqual([
      ["sev1", 1],
      ["sev2", 2],
      ["sev3", 0],
      ["sev4", 0],
      ["sev5", 0],
    ]);
  });

  it("indexes any frontmatter key listed in taxonomies", async () => {
    const e = await pm("e.md", "title: Echo\ncompany: [Acme Corp]");
    const custom = organize([e], resolveConfig({ taxonomies: ["company"] }, "/p"));
    expect(custom.taxonomies).toEqual([
      {
        key: "company",
        label: "Company",
        singular: "company",
        terms: [{ id: "acme-corp", label: "Acme Corp", postmortems: [e] }],
        ids: new Map([["acme corp", "acme-corp"]]),
      },
    ]);
  });

  it("keeps different terms apart even when their slugs collide (regression: C# and C merged)", async () => {
    const x = await pm("x.md", "title: X\ntags: ['C#', C, 'c++', 'C ']");
    const organized = organize([x], resolveConfig({}, "/p"));
    const tags = organized.taxonomies.find((t) => t.key === "tags")!;
    expect(tags.terms.map((t) => [t.label, t.id])).toEqual([
      ["C", "c"],
      ["C#", "c-" + tags.ids.get("c#")!.slice(2)],
      ["c++", "c-" + tags.ids.get("c++")!.slice(2)],
    ]);
    expect(new Set(tags.terms.map((t) => t.id)).size).toBe(3);
    const tagsOnly = { ...organized, taxonomies: [tags] };
    expect(termIdOf(tagsOnly, "tags", "c#")).toBe(tags.ids.get("c#"));
    expect(termIdOf(tagsOnly, "services", "auth")).toBeUndefined();
  });

  it("gives the same order whatever the input order", () => {
    const again = organize([b, c, a, d].reverse(), resolveConfig({}, "/p"));
    expect(again.postmortems.map((p) => p.meta.slug)).toEqual(site.postmortems.map((p) => p.meta.slug));
  });
});

describe("custom taxonomies on a postmortem's own page", () => {
  it("shows each value of company and categories, linked to its term page (issue 15)", async () => {
    const root = tempDir();
    fs.mkdirSync(path.join(root, "content"));
    fs.writeFileSync(
      path.join(root, "content", "a.md"),
      "---\ntitle: Alpha\ndate: 2024-01-01\ncompany: Acme Corp\ncategories: [Cloud, DNS, dns]\n---\n\nBody\n",
    );
    fs.writeFileSync(path.join(root, "content", "b.md"), "---\ntitle: Bravo\ndate: 2024-02-01\ncategories: [DNS]\n---\n\nBody\n");
    const options = { root, offline: true, cache: false, fields: { required: [] }, sections: [], taxonomies: ["services", "company", "categories"] };
    expect((await build(options)).ok).toBe(true);
    const page = fs.readFileSync(path.join(root, "dist", "postmortems", "a", "index.html"), "utf8");
    expect(page).toMatch(
      /<dt>Company<\/dt><dd><ul class="chips"><li><a class="chip" href="\.\.\/\.\.\/company\/acme-corp\/index\.html">Acme Corp<\/a><\/li><\/ul>/,
    );
    // Each term once, spelled as written first.
    expect(page).toMatch(
      /<dt>Categories<\/dt><dd><ul class="chips"><li><a class="chip" href="\.\.\/\.\.\/categories\/cloud\/index\.html">Cloud<\/a><\/li><li><a class="chip" href="\.\.\/\.\.\/categories\/dns\/index\.html">DNS<\/a><\/li><\/ul>/,
    );
    expect(fs.existsSync(path.join(root, "dist", "categories", "dns", "index.html"))).toBe(true);
    expect(fs.readFileSync(path.join(root, "dist", "postmortems", "b", "index.html"), "utf8")).not.toContain("<dt>Company</dt>");
  });
});
