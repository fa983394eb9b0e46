// The random archives of test/cli/fuzz.test.ts: odd file names and folders, frontmatter of
// every shape, Markdown pieces that have broken things, configs good and bad, symlinks out of
// the project, and a secret beside it that no run may copy or change.
import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { stringify } from "yaml";
import { FIELDS as DESIGN_FIELDS } from "../../src/config-defaults.js";
import { makePng, tempDir } from "../helpers.js";

/** Written beside the project: it must never be copied into the output nor changed. */
export const SECRET = "SENTINEL-7d1e-must-not-leak";

const odd = fc.constantFrom(...Array.from(" #%?&'\"()[]{}!@$+,;=~^`\\:*<>|\t\n"), "é", "日", "🙂", "\u200f", "\u0301", "İ", "\uFEFF");
const segment = fc
  .array(fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...Array.from("abcxyz019-_.")) }, { weight: 2, arbitrary: odd }), { minLength: 1, maxLength: 10 })
  .map((chars) => chars.join(""))
  .filter((name) => name !== "." && name !== "..");
const longName = fc.constantFrom("a".repeat(150), "é".repeat(70), "🙂".repeat(40), "2024-01-02-".padEnd(140, "x"));
const folder = fc.oneof({ weight: 3, arbitrary: segment }, fc.constantFrom("notes.md", ".hidden", "node_modules", "img", "out", "2024"));
const fileName = fc
  .tuple(fc.oneof({ weight: 8, arbitrary: segment }, longName), fc.constantFrom(".md", ".md", ".md", ".markdown", ".MD", ".txt", ""))
  .map(([base, ext]) => base + ext);
const filePath = fc.tuple(fc.array(folder, { maxLength: 3 }), fileName).map(([dirs, name]) => [...dirs, name].join("/"));

const pathLike = fc.constantFrom(
  "../x",
  "../../sentinel/pwn",
  "/etc/passwd",
  "search",
  "assets",
  "images",
  "index.html",
  ".",
  "..",
  "%2e%2e/x",
  "a/../../b",
  "C:\\x",
  "x/",
  "//x",
  "a b/c",
  "🙂",
  "postmortems",
  "feed.xml",
);
const value = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary", maxLength: 12 }),
  pathLike,
  fc.constantFrom("SEV1", "sev-2", "P3", "critical", "SEV9", "draft", "final", "in-review", ""),
  fc.constantFrom(
    "2024-02-30",
    "2024-02-10T09:30:00Z",
    "2024-13-01",
    "2023-02-29",
    "0000-01-01",
    "9999-12-31T23:59:59Z",
    "275760-09-13",
    "1969-12-31",
    "2024-01-01T25:00:00Z",
    "2024-06-01T12:00:00+14:00",
  ),
  fc.constantFrom("4h", "90m", "-1h", "0m", "99999999h", "1e9h", "4h 30m", "1h55m"),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.string({ maxLength: 8 }), pathLike, fc.integer()), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
);
/** Every field of DESIGN.md, taxonomies, and keys that would be an object's own. */
const FIELDS = [...DESIGN_FIELDS, "tags", "company", "related", "__proto__", "constructor"];
const validFields = fc.record({
  title: fc.oneof(fc.string({ minLength: 1 }), fc.constantFrom("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>')),
  date: fc.constantFrom("2024-01-02", "2023-12-31T23:59:59Z", "2019-06-01"),
  severity: fc.constantFrom("SEV1", "SEV3", "sev 5", "P2"),
  services: fc.oneof(fc.array(fc.oneof(fc.string({ minLength: 1, maxLength: 8 }), pathLike), { minLength: 1, maxLength: 3 }), pathLike),
});
const YAML_ODDITIES = [
  "a: &a [1, 2]\nb: *a\nc: *a\n",
  "<<: {title: merged}\n",
  "title: !!binary aGVsbG8=\n",
  "title: !!js/function 'function () { return 1 }'\n",
  "tags: !!set {a, b}\n",
  "? [complex, key]\n: value\n",
  "title: one\ntitle: two\n",
  "date: 2024-01-01\n---\nsecond: document\n",
  "x: .inf\ny: .nan\nz: ~\nn: 0x1F\n",
  "title: |\n  multi\n  line\n",
  "\ttitle: tab\n",
  "title: 'unclosed\n",
  "- a list\n- not a map\n",
  "just a string\n",
  "slug: !!str 123\nservices: !!int 5\n",
];
const frontmatter = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .tuple(validFields, fc.dictionary(fc.constantFrom(...FIELDS), value, { maxKeys: 4 }))
      .map(([base, extra]) => `---\n${stringify({ ...base, ...extra })}---\n`),
  },
  { weight: 2, arbitrary: fc.dictionary(fc.constantFrom(...FIELDS), value).map((data) => `---\n${stringify(data)}---\n`) },
  { weight: 1, arbitrary: fc.tuple(validFields, fc.constantFrom(...YAML_ODDITIES)).map(([base, odd]) => `---\n${stringify(base)}${odd}---\n`) },
  { weight: 1, arbitrary: fc.string().map((raw) => `---\n${raw}\n---\n`) },
  { weight: 1, arbitrary: fc.constantFrom("", "---\ntitle: never closed\n", "---\n---\n", "\uFEFF---\ntitle: bom\n---\n", "---\r\ntitle: crlf\r\n---\r\n") },
);
const TINY_PNG = makePng(2, 2).toString("base64");
const bodyPiece = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      "## Issue Summary\n\nText.\n",
      "## Timeline\n\n- 10:00 start\n",
      "## Root Cause and Resolution\n\nA cause.\n",
      "## Corrective and Preventative Measures\n\n- [ ] fix @me due:2024-01-01 OPS-1\n- [x] done\n",
      "**Timeline:**\n",
      "# A heading title\n",
      "<script>alert(1)</script><img src=x onerror=alert(1)>\n",
      '<svg onload=alert(1)><a xlink:href="javascript:alert(1)">x</a></svg>\n',
      '<a href="javascript:alert(1)">j</a> [v](vbscript:msgbox(1)) [d](data:text/html,<script>alert(1)</script>)\n',
      '<form action="x"><input autofocus onfocus=alert(1)></form><iframe src="x"></iframe>\n',
      '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>\n',
      `![png](data:image/png;base64,${TINY_PNG})\n`,
      "![bad](data:image/png;base64,AAAA)\n",
      "![html](data:text/html;base64,PHNjcmlwdD4=)\n",
      "![local](img/ok.png) ![fake](img/fake.png) ![missing](img/none.png)\n",
      "![root](/img/ok.png) ![up](../../sentinel/secret.png) ![abs](/etc/passwd)\n",
      "![leak](img/leak.png) ![file](file:///etc/passwd) ![ftp](ftp://127.0.0.1/x.png)\n",
      '![remote](http://127.0.0.1:9/x.png) <img src="https://127.0.0.1:9/y.svg" alt="">\n',
      "[other](other.md#timeline) [up](../x.md) [sentinel](../../sentinel/secret.md) [bad](#%zz)\n",
      "Footnote[^1].\n\n[^1]: note\n",
      "| a | b |\n|---|---|\n| 1 | 2 |\n",
      "```html\n<script>alert(1)</script>\n```\n",
      "> > > > > quote\n",
      "\u0000\uFFFD\r\n",
      "- a\n  - b\n    - c\n",
    ),
  },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
);
/** A postmortem's bytes: mostly text, sometimes with invalid UTF-8 in it. */
const postmortem = fc
  .tuple(
    frontmatter,
    fc.array(bodyPiece, { maxLength: 7 }),
    fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  )
  .map(([fm, body, raw]) => Buffer.concat([Buffer.from(fm + body.join("\n")), Buffer.from(raw ?? [])]));

/** A config file: none, valid ones, or (deliberately) a broken one that must exit 2. */
const config = fc.oneof(
  { weight: 4, arbitrary: fc.constant(undefined) },
  { weight: 3, arbitrary: fc.constant({ text: '{"fields": {"required": []}, "sections": []}', valid: true }) },
  {
    weight: 2,
    arbitrary: fc.constant({
      text: '{"fields": {"required": []}, "sections": [], "taxonomies": ["services", "tags", "company", "related"], "severities": ["SEV1", "SEV2", "SEV3"]}',
      valid: true,
    }),
  },
  { weight: 1, arbitrary: fc.constantFrom('{"titel": "typo"}', '{"sections": "none"}', '{"title": ', "[]").map((text) => ({ text, valid: false })) },
);

export const archive = fc.record({
  files: fc.uniqueArray(fc.tuple(filePath, postmortem), { minLength: 1, maxLength: 6, selector: ([p]) => p }),
  config,
  symlinks: fc.boolean(),
  drafts: fc.boolean(),
  strict: fc.boolean(),
  format: fc.constantFrom(undefined, "stylish", "json", "github"),
  /** build: an output folder from an earlier build is there. */
  previous: fc.boolean(),
  /** check: -1 no path, 0 the content folder, n the n-th file. */
  pick: fc.integer({ min: -1, max: 3 }),
});
export type Archive = typeof archive extends fc.Arbitrary<infer T> ? T : never;

/** Lays out `tmp/project` (the archive) and `tmp/sentinel` (beside it, never to be touched). */
export function layOut(spec: Archive): { tmp: string; project: string; content: string } {
  const tmp = tempDir("hindsight-fuzz-");
  const project = path.join(tmp, "project");
  const content = path.join(project, "content");
  const sentinel = path.join(tmp, "sentinel");
  fs.mkdirSync(sentinel);
  fs.writeFileSync(path.join(sentinel, "secret.md"), `---\ntitle: ${SECRET}\ndate: 2024-01-01\nseverity: SEV1\nservices: [x]\n---\n\n${SECRET}\n`);
  fs.writeFileSync(path.join(sentinel, "secret.png"), makePng(1, 1, 0x10, SECRET));
  fs.mkdirSync(path.join(content, "img"), { recursive: true });
  fs.writeFileSync(path.join(content, "img", "ok.png"), makePng(3, 2));
  fs.writeFileSync(path.join(content, "img", "fake.png"), "<html>not an image</html>");
  if (spec.symlinks) {
    fs.symlinkSync(path.join(sentinel, "secret.md"), path.join(content, "linked.md"));
    fs.symlinkSync(path.join(sentinel, "secret.png"), path.join(content, "img", "leak.png"));
    fs.symlinkSync(sentinel, path.join(content, "linked-folder"));
  }
  for (const [rel, bytes] of spec.files) {
    const file = path.join(content, rel);
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, bytes);
    } catch {
      // A name that clashes with a folder made for another file: that file is simply not there.
    }
  }
  if (spec.config) fs.writeFileSync(path.join(project, "hindsight.config.json"), spec.config.text);
  return { tmp, project, content };
}
