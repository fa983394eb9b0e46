import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { fromHtml } from "hast-util-from-html";
import { visit } from "unist-util-visit";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { FIELDS as DESIGN_FIELDS } from "../../src/config-defaults.js";
import { makePng, runCliAsync, snapshot, tempDir, withoutThemeScripts } from "../helpers.js";

// Random archives through the compiled CLI, a child process each (about a second), so the runs
// are few and the seed is fixed: a failure prints its seed and path, FUZZ_SEED replays it, and
// FUZZ_SEED, FUZZ_RUNS and FUZZ_TIME_MS (the time limit of each property) explore further.
const SEED = Number(process.env.FUZZ_SEED ?? 20261124);
const RUNS = Number(process.env.FUZZ_RUNS ?? 10);
const TIME_LIMIT = Number(process.env.FUZZ_TIME_MS ?? 100_000);
const FC = { seed: SEED, numRuns: RUNS, plugins: [fc.interruptAfterTimeLimit(TIME_LIMIT)] };

/** Written beside the project: it must never be copied into the output nor changed. */
const SECRET = "SENTINEL-7d1e-must-not-leak";

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

const archive = fc.record({
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
type Archive = typeof archive extends fc.Arbitrary<infer T> ? T : never;

/** Lays out `tmp/project` (the archive) and `tmp/sentinel` (beside it, never to be touched). */
function layOut(spec: Archive): { tmp: string; project: string; content: string } {
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

function options(spec: Archive, command: "build" | "check"): string[] {
  return [...(spec.drafts && command === "build" ? ["--drafts"] : []), ...(spec.strict ? ["--strict"] : []), ...(spec.format ? ["--format", spec.format] : [])];
}

/** What must hold of any run's output streams: a report, never a crash. */
function expectNoCrash(run: { code: number | null; stdout: string; stderr: string }, spec: Archive): void {
  const output = `exit ${run.code}\n${run.stderr}\n${run.stdout}`;
  expect(output).not.toMatch(/internal error/);
  expect(output, "a stack trace").not.toMatch(/\n\s+at (?:async )?\S*.*[(\s](?:file:|node:|\/)\S*:\d+:\d+\)?\n/);
  expect(spec.config?.valid === false ? [2] : [0, 1], output).toContain(run.code);
  // Content problems are reported as messages, not as a failure of Hindsight itself.
  if (run.code === 1) expect(run.stderr, output).not.toMatch(/^hindsight: /m);
}

/** No page can run script: every <script> is the theme's own, no event handler, no script URL. */
function expectNoScript(out: string, files: string[]): void {
  for (const file of files.filter((f) => f.endsWith(".html"))) {
    const html = fs.readFileSync(path.join(out, file), "utf8");
    visit(fromHtml(withoutThemeScripts(html)), "element", (node) => {
      expect(node.tagName, file).not.toBe("script");
      for (const [name, v] of Object.entries(node.properties)) {
        expect(name, file).not.toMatch(/^on/i);
        expect(String(v), `${file} ${name}`).not.toMatch(/^\s*(?:javascript|vbscript|data):/i);
      }
    });
  }
}

const stats = { build: new Map<number | null, number>(), check: new Map<number | null, number>() };
const tally = (map: Map<number | null, number>, code: number | null) => map.set(code, (map.get(code) ?? 0) + 1);

/** Builds one random archive, over a previous output or none, and checks everything a build promises. */
async function fuzzBuild(spec: Archive): Promise<void> {
  const { tmp, project } = layOut(spec);
  const out = path.join(project, "out");
  if (spec.previous) {
    fs.mkdirSync(path.join(out, "postmortems"), { recursive: true });
    fs.writeFileSync(path.join(out, ".hindsight"), "Built by Hindsight.\n");
    fs.writeFileSync(path.join(out, "index.html"), "<p>previous</p>");
    fs.writeFileSync(path.join(out, "postmortems", "old.bin"), Buffer.from([0, 255, 1, 254]));
  }
  const outside = (rel: string) => rel === "project/out" || rel === "project/.cache";
  const before = snapshot(tmp, outside);
  const previous = spec.previous ? snapshot(out) : undefined;

  const run = await runCliAsync(["build", "--offline", "--out", "out", ...options(spec, "build")], project);
  tally(stats.build, run.code);
  expectNoCrash(run, spec);
  expect(snapshot(tmp, outside), "written outside --out").toEqual(before);
  if (run.code === 0) {
    const files = Object.keys(snapshot(out)).filter((f) => !f.endsWith("/"));
    expect(files).toContain(".hindsight");
    expect(files).toContain("index.html");
    for (const file of files) expect(fs.readFileSync(path.join(out, file)).includes(SECRET), `${file} has the sentinel's secret`).toBe(false);
    expectNoScript(out, files);
  } else if (previous) {
    expect(snapshot(out), "previous output changed").toEqual(previous);
  } else {
    expect(fs.existsSync(out)).toBe(false);
  }
}

/** Checks one random archive (all of it, the content folder, or one file by its path): it must write nothing but its cache. */
async function fuzzCheck(spec: Archive): Promise<void> {
  const { tmp, project, content } = layOut(spec);
  const existing = spec.files.map(([rel]) => path.join(content, rel)).filter((file) => fs.existsSync(file));
  const paths = spec.pick === -1 ? [] : spec.pick === 0 ? ["content"] : existing.slice(spec.pick - 1, spec.pick).map((file) => path.relative(project, file));
  const cache = (rel: string) => rel === "project/.cache";
  const before = snapshot(tmp, cache);
  const run = await runCliAsync(["check", ...paths, ...options(spec, "check")], project);
  tally(stats.check, run.code);
  expectNoCrash(run, spec);
  expect(snapshot(tmp, cache), "check wrote something").toEqual(before);
}

// Each run takes two archives and runs the CLI on both at once: the machine has two cores.
describe(`the CLI over random archives (seed ${SEED}, ${RUNS} runs of two archives)`, () => {
  it(
    "build: exits 0 or 1 with a report, writes only inside --out, and on failure leaves the previous output byte for byte",
    async () => {
      await fc.assert(
        fc.asyncProperty(archive, archive, async (a, b) => {
          await Promise.all([fuzzBuild(a), fuzzBuild(b)]);
        }),
        FC,
      );
      // The generators are worth something only if both outcomes happen.
      expect(stats.build.get(0) ?? 0, JSON.stringify([...stats.build])).toBeGreaterThan(2);
      expect(stats.build.get(1) ?? 0, JSON.stringify([...stats.build])).toBeGreaterThan(2);
    },
    TIME_LIMIT + 50_000,
  );

  it(
    "check: exits 0 or 1 with a report and writes nothing at all",
    async () => {
      await fc.assert(
        fc.asyncProperty(archive, archive, async (a, b) => {
          await Promise.all([fuzzCheck(a), fuzzCheck(b)]);
        }),
        { ...FC, numRuns: Math.ceil(RUNS * 0.7) },
      );
      expect(stats.check.get(1) ?? 0, JSON.stringify([...stats.check])).toBeGreaterThan(1);
    },
    TIME_LIMIT + 50_000,
  );
});
