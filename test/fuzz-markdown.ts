// Pathological postmortems for the budgets of issue 13: Markdown that is slow to parse, nests
// deep, or makes huge pages, and frontmatter that is huge or of the wrong type. A generator
// gives a recipe (small plain data, printed as is when a property fails), and `textOf` makes the
// file from it, so a failure names its input in a line instead of printing 100 KB.
import fc from "fast-check";

/** How a pathological postmortem is made: its kind and the sizes of its parts. */
export type Recipe =
  /** `unit` (`_a*`, `*_`, `a*`…) repeated to `bytes`. */
  | { kind: "emphasis-run"; unit: string; bytes: number }
  /** `*`×depth, `a`, `*`×depth (or `_`). */
  | { kind: "nested-emphasis"; mark: string; depth: number }
  /** A quote `>`×depth deep, then lazy lines to `bytes`. */
  | { kind: "lazy-quote"; depth: number; bytes: number }
  /** A list item, then lazy continuation lines indented by `indent` to `bytes`. */
  | { kind: "lazy-list"; indent: number; bytes: number }
  /** `- a` lines to `bytes`. */
  | { kind: "flat-list"; bytes: number }
  /** `- `×count on one line, then `a`. */
  | { kind: "markers-on-a-line"; count: number }
  /** List items indented by `step` more each line, `depth` lines. */
  | { kind: "indented-list"; step: number; depth: number }
  /** `unit` (`[`, `[a](`, `![`…) repeated to `bytes`. */
  | { kind: "open-brackets"; unit: string; bytes: number }
  /** Backtick runs of growing length, 1 to `longest`, each before a letter: no span ever closes. */
  | { kind: "backtick-runs"; longest: number }
  /** `<tag>`×depth, never closed. */
  | { kind: "html-nesting"; tag: string; depth: number }
  /** A reference definition of a `urlBytes` URL, used `uses` times. */
  | { kind: "reference-links"; urlBytes: number; uses: number }
  /** `tags:` with `count` terms. */
  | { kind: "many-tags"; count: number }
  /** A `summary` of `bytes`, and `tags` tags (every list the summary is on). */
  | { kind: "huge-summary"; bytes: number; tags: number }
  /** `count` frontmatter keys. */
  | { kind: "yaml-keys"; count: number }
  /** A frontmatter `field` whose value is a mapping (or a list of one), like `{toString: 1}`. */
  | { kind: "mapping-value"; field: string; value: string }
  /** One of the body patterns above, past 1 MB: refused before parsing. */
  | { kind: "over-file-bytes"; unit: string; bytes: number };

/** A valid postmortem: every required field and section (as test/fixtures/rules/valid/input.md). */
export function validPostmortem(title: string, extraFrontmatter = "", body = ""): string {
  return [
    "---",
    `title: ${JSON.stringify(title)}`,
    "date: 2024-02-10T09:30:00Z",
    "severity: SEV2",
    "services: [auth]",
    ...(extraFrontmatter ? [extraFrontmatter] : []),
    "---",
    "",
    "## Issue Summary",
    "",
    "Logins failed.",
    "",
    "## Timeline",
    "",
    "- 09:30 flush",
    "",
    "## Root Cause and Resolution",
    "",
    "A flush.",
    "",
    body,
    "",
    "## Corrective and Preventative Measures",
    "",
    "- [ ] Add jitter",
    "",
  ].join("\n");
}

const KB = 1024;
/** Bytes of a body pattern: a few KB to about 120 KB, small ones as often (they pass, and are rendered and written). */
const bodyBytes = fc.oneof(fc.integer({ min: 2 * KB, max: 16 * KB }), fc.integer({ min: 16 * KB, max: 120 * KB }));
const repeatTo = (unit: string, bytes: number) => unit.repeat(Math.max(1, Math.ceil(bytes / unit.length)));
const EMPHASIS_UNITS = ["_a*", "*_", "a*", "_a", "*a_", "**_", "a_*b"];
const BRACKET_UNITS = ["[", "[a](", "![", "[a]", "[a](<", "[^"];

/** Every kind of pathological postmortem, about equally often. */
export const recipe: fc.Arbitrary<Recipe> = fc.oneof(
  fc.record({ kind: fc.constant("emphasis-run" as const), unit: fc.constantFrom(...EMPHASIS_UNITS), bytes: bodyBytes }),
  fc.record({
    kind: fc.constant("nested-emphasis" as const),
    mark: fc.constantFrom("*", "_"),
    depth: fc.oneof(fc.integer({ min: 50, max: 1_000 }), fc.integer({ min: 1_000, max: 60 * KB })),
  }),
  fc.record({ kind: fc.constant("lazy-quote" as const), depth: fc.integer({ min: 1, max: 130 }), bytes: bodyBytes }),
  fc.record({ kind: fc.constant("lazy-list" as const), indent: fc.integer({ min: 0, max: 12 }), bytes: bodyBytes }),
  fc.record({ kind: fc.constant("flat-list" as const), bytes: bodyBytes }),
  fc.record({
    kind: fc.constant("markers-on-a-line" as const),
    count: fc.oneof(fc.integer({ min: 50, max: 1_000 }), fc.integer({ min: 1_000, max: 60 * KB })),
  }),
  fc.record({ kind: fc.constant("indented-list" as const), step: fc.integer({ min: 1, max: 4 }), depth: fc.integer({ min: 50, max: 300 }) }),
  fc.record({ kind: fc.constant("open-brackets" as const), unit: fc.constantFrom(...BRACKET_UNITS), bytes: bodyBytes }),
  fc.record({ kind: fc.constant("backtick-runs" as const), longest: fc.integer({ min: 60, max: 480 }) }),
  fc.record({
    kind: fc.constant("html-nesting" as const),
    tag: fc.constantFrom("div", "span", "blockquote", "table", "a", "b"),
    depth: fc.oneof(fc.integer({ min: 50, max: 500 }), fc.integer({ min: 500, max: 20_000 })),
  }),
  fc.record({
    kind: fc.constant("reference-links" as const),
    urlBytes: fc.integer({ min: 10 * KB, max: 100 * KB }),
    uses: fc.integer({ min: 1_000, max: 50_000 }),
  }),
  fc.record({ kind: fc.constant("many-tags" as const), count: fc.integer({ min: 101, max: 20_000 }) }),
  fc.record({ kind: fc.constant("huge-summary" as const), bytes: fc.integer({ min: 100 * KB, max: 1000 * KB }), tags: fc.integer({ min: 0, max: 100 }) }),
  fc.record({ kind: fc.constant("yaml-keys" as const), count: fc.integer({ min: 1_000, max: 40_000 }) }),
  fc.record({
    kind: fc.constant("mapping-value" as const),
    field: fc.constantFrom("date", "severity", "status", "duration", "title", "started", "resolved"),
    value: fc.constantFrom("{toString: 1}", "{valueOf: 1}", "[{toString: 1}]", "{toString: 1, valueOf: 2}", "{__proto__: {toString: 1}}", "{length: 1e9}"),
  }),
  fc.record({
    kind: fc.constant("over-file-bytes" as const),
    unit: fc.constantFrom("- a\n", "_a*", "*_", "> a\n", "[a](", "x"),
    bytes: fc.integer({ min: 1024 * KB + 1, max: 1100 * KB }),
  }),
);

/** The file a recipe makes: a valid postmortem with the pathological part in it. */
export function textOf(r: Recipe, title: string): string {
  switch (r.kind) {
    case "emphasis-run":
      return validPostmortem(title, "", repeatTo(r.unit, r.bytes));
    case "nested-emphasis":
      return validPostmortem(title, "", `${r.mark.repeat(r.depth)}a${r.mark.repeat(r.depth)}`);
    case "lazy-quote":
      return validPostmortem(title, "", `${">".repeat(r.depth)} a\n${repeatTo("b\n", r.bytes)}`);
    case "lazy-list":
      return validPostmortem(title, "", `- a\n${repeatTo(`${" ".repeat(r.indent)}b\n`, r.bytes)}`);
    case "flat-list":
      return validPostmortem(title, "", repeatTo("- a\n", r.bytes));
    case "markers-on-a-line":
      return validPostmortem(title, "", `${"- ".repeat(r.count)}a`);
    case "indented-list":
      return validPostmortem(title, "", Array.from({ length: r.depth }, (_, i) => `${" ".repeat(i * r.step)}- a`).join("\n"));
    case "open-brackets":
      return validPostmortem(title, "", repeatTo(r.unit, r.bytes));
    case "backtick-runs":
      return validPostmortem(title, "", Array.from({ length: r.longest }, (_, i) => `${"`".repeat(i + 1)}a`).join(""));
    case "html-nesting":
      return validPostmortem(title, "", `<${r.tag}>`.repeat(r.depth));
    case "reference-links":
      return validPostmortem(title, "", `[r]: https://x/${"x".repeat(r.urlBytes)}\n\n${"[a][r] ".repeat(r.uses)}`);
    case "many-tags":
      return validPostmortem(title, `tags: [${Array.from({ length: r.count }, (_, i) => `t${i + 1}`).join(", ")}]`);
    case "huge-summary":
      return validPostmortem(
        title,
        `tags: [${Array.from({ length: r.tags }, (_, i) => `t${i + 1}`).join(", ")}]\nsummary: "${repeatTo("Logins failed. ", r.bytes)}"`,
      );
    case "yaml-keys":
      return validPostmortem(title, Array.from({ length: r.count }, (_, i) => `k${i}: ${i}`).join("\n"));
    case "mapping-value": {
      const text = validPostmortem(title);
      const lines = text.split("\n").filter((line) => !line.startsWith(`${r.field}:`));
      lines.splice(1, 0, `${r.field}: ${r.value}`);
      return lines.join("\n");
    }
    case "over-file-bytes":
      return validPostmortem(title, "", repeatTo(r.unit, r.bytes));
  }
}

/**
 * The rules a recipe's file must be reported under, whatever the machine's speed, or undefined
 * when it may pass (a budget of time it may or may not use up, a size under every limit). Any
 * file that is parsed may run out of time first on a busy machine, and then that is its only
 * error: `limits/time` is always one of them, but for a file refused before it is read.
 */
export function mustFailWith(r: Recipe): RegExp | undefined {
  switch (r.kind) {
    case "over-file-bytes":
      return /^limits\/file-bytes$/;
    case "many-tags":
      return /^limits\/(?:terms|time)$/;
    case "mapping-value":
      return /^(?:frontmatter\/[a-z]+|limits\/time)$/;
    case "markers-on-a-line":
      // Over 100 list markers on a line: refused before parsing.
      return r.count > 100 ? /^(?:content\/too-deep|limits\/time)$/ : undefined;
    case "lazy-quote":
      return r.depth > 100 ? /^(?:content\/too-deep|limits\/time)$/ : undefined;
    case "indented-list":
      return r.step * (r.depth - 1) > 400 ? /^(?:content\/too-deep|limits\/time)$/ : undefined;
    case "reference-links":
      // Each use repeats the URL on the page: past 10 MB, with room for the rest of the page.
      return r.urlBytes * r.uses > 11 * 1024 * KB ? /^limits\/(?:output-bytes|time)$/ : undefined;
    default:
      return undefined;
  }
}
