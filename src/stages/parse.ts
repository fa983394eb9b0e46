import matter from "gray-matter";
import yaml from "js-yaml";
import type { Heading, Root as MdastRoot } from "mdast";
import { toString } from "mdast-util-to-string";
import remarkGfm from "remark-gfm";
import remarkParse from "remark-parse";
import { unified } from "unified";
import { VFile } from "vfile";
import type { ResolvedConfig, SeverityLevel } from "../config.js";
import type { ParsedPostmortem, PostmortemMeta, SourceFile, Status } from "../types.js";
import { report, type Problem } from "../util/messages.js";
import { matchSection } from "../util/sections.js";
import { slugFromPath } from "../util/slug.js";
import { parseDuration, parseInstant } from "../util/time.js";

const markdown = unified().use(remarkParse).use(remarkGfm).freeze();

// YAML's core schema: `date: 2024-03-01` stays the string the author wrote (no implicit Date).
const matterOptions = {
  engines: { yaml: (text: string) => yaml.safeLoad(text, { schema: yaml.CORE_SCHEMA }) as object },
};

const STATUSES: readonly Status[] = ["draft", "in-review", "final"];
const SUMMARY_MAX = 280;

/**
 * Parses one postmortem: frontmatter into normalised metadata, the body into mdast. Problems
 * become messages on the returned `file`; a frontmatter that cannot be read is an error and
 * yields metadata from the fallbacks alone.
 */
export function parse(source: SourceFile, config: ResolvedConfig): ParsedPostmortem {
  const file = new VFile({ path: source.path, value: source.text });
  const { data, body, bodyLine } = readFrontmatter(source.text, file);
  // Padding the body with the frontmatter's line count keeps mdast positions true to the file.
  const tree = markdown.parse("\n".repeat(bodyLine - 1) + body) as MdastRoot;
  // After a broken frontmatter, fallback warnings would only be noise: the fields are there.
  const note: Note = file.messages.length > 0 ? () => {} : (problem) => report(file, problem);
  const meta = normalizeMeta(data, tree, source, note, config);
  return { source, file, meta, tree };
}

type Note = (problem: Problem) => void;

interface Frontmatter {
  data: Record<string, unknown>;
  body: string;
  /** 1-based line of the file where the body starts. */
  bodyLine: number;
}

function readFrontmatter(text: string, file: VFile): Frontmatter {
  if (!/^---[ \t]*\r?\n/.test(text)) return { data: {}, body: text, bodyLine: 1 };
  try {
    const result = matter(text, matterOptions);
    const body = result.content;
    const bodyLine = countLines(text.slice(0, text.length - body.length)) + 1;
    if (result.data === null || typeof result.data !== "object" || Array.isArray(result.data)) {
      report(file, {
        reason: "Unexpected frontmatter that is not a mapping, expected `key: value` lines",
        ruleId: "frontmatter/syntax",
        place: { line: 2, column: 1 },
        hint: "Write the frontmatter as `key: value` lines, e.g. `title: Login outage`.",
        severity: "error",
      });
      return { data: {}, body, bodyLine };
    }
    return { data: result.data as Record<string, unknown>, body, bodyLine };
  } catch (error) {
    const mark = (error as { mark?: { line: number; column: number } }).mark;
    const reason = (error as { reason?: string }).reason ?? (error as Error).message;
    report(file, {
      reason: `Cannot parse frontmatter: ${reason}`,
      ruleId: "frontmatter/syntax",
      // gray-matter hands js-yaml the block from the newline that ends the opening `---`, so
      // js-yaml's 0-based line is one less than the file's 1-based one.
      place: mark ? { line: mark.line + 1, column: mark.column + 1 } : undefined,
      hint: "Fix the YAML between the `---` lines; quote values that contain `: ` or start with a symbol.",
      severity: "error",
      cause: error as Error,
    });
    return { data: {}, body: stripUnreadableFrontmatter(text), bodyLine: 1 };
  }
}

function stripUnreadableFrontmatter(text: string): string {
  // Keep the body renderable: blank out the broken block so line numbers stay true.
  const end = text.search(/\r?\n---[ \t]*(\r?\n|$)/);
  if (end < 0) return text;
  const closing = text.indexOf("\n", end + 1);
  const head = text.slice(0, closing < 0 ? text.length : closing);
  return "\n".repeat(countLines(head) + 1) + (closing < 0 ? "" : text.slice(closing + 1));
}

function countLines(text: string): number {
  let count = 0;
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) count++;
  return count;
}

function normalizeMeta(
  data: Record<string, unknown>,
  tree: MdastRoot,
  source: SourceFile,
  note: Note,
  config: ResolvedConfig,
): PostmortemMeta {
  const instant = parseInstant(data.date) ?? dateFromFileName(source, note, data);
  const started = parseInstant(data.started);
  const resolved = parseInstant(data.resolved);
  const derived = started && resolved && resolved.ms >= started.ms ? (resolved.ms - started.ms) / 60_000 : undefined;
  const status = String(data.status ?? "final").toLowerCase();
  return {
    slug: typeof data.slug === "string" && data.slug.trim() ? slugFromPath(data.slug.trim()) : slugFromPath(source.relPath),
    title: titleOf(data, tree, source, note),
    date: instant?.iso,
    year: instant?.iso.slice(0, 4),
    severity: normalizeSeverity(data.severity, config.severities),
    services: toList(data.services),
    tags: toList(data.tags),
    authors: toList(data.authors),
    status: (STATUSES as readonly string[]).includes(status) ? (status as Status) : "final",
    summary: text(data.summary) ?? summaryFromBody(tree, config),
    impact: text(data.impact),
    incidentId: text(data.incident_id),
    durationMinutes: parseDuration(data.duration) ?? derived,
    data,
  };
}

function titleOf(data: Record<string, unknown>, tree: MdastRoot, source: SourceFile, note: Note): string {
  const given = text(data.title);
  if (given) return given;
  const h1 = tree.children.find((node): node is Heading => node.type === "heading" && node.depth === 1);
  const fromHeading = h1 && toString(h1).trim();
  if (fromHeading) {
    note({ reason: "Missing `title`, using the first `#` heading", ruleId: "title/fallback", place: h1.position?.start, hint: "Add `title:` to the frontmatter." });
    return fromHeading;
  }
  const fromName = titleFromFileName(source.relPath);
  note({ reason: "Missing `title` and no `#` heading, using the file name", ruleId: "title/fallback", hint: "Add `title:` to the frontmatter." });
  return fromName;
}

/** `2021-05-09-negative-coin-values.md` → `Negative coin values`. */
function titleFromFileName(relPath: string): string {
  const base = relPath.replace(/^.*\//, "").replace(/\.(md|markdown)$/i, "");
  const words = base.replace(/^\d{4}-\d{2}-\d{2}[-_ ]*/, "").replace(/[-_]+/g, " ").trim() || base;
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function dateFromFileName(source: SourceFile, note: Note, data: Record<string, unknown>) {
  if (data.date !== undefined) return undefined; // present but invalid: a rule reports it
  const match = /^(\d{4}-\d{2}-\d{2})/.exec(source.relPath.replace(/^.*\//, ""));
  const instant = match ? parseInstant(match[1]) : undefined;
  if (instant) {
    note({ reason: `Missing \`date\`, using ${instant.iso} from the file name`, ruleId: "date/fallback", hint: `Add \`date: ${instant.iso}\` to the frontmatter.` });
  }
  return instant;
}

/** Maps a written severity onto the scale: id or alias, ignoring case, spaces, `-` and `_`. */
export function normalizeSeverity(value: unknown, scale: readonly SeverityLevel[]): string | undefined {
  if (typeof value !== "string" && typeof value !== "number") return undefined;
  const key = squash(String(value));
  const level = scale.find((s) => squash(s.id) === key || s.aliases.some((a) => squash(a) === key));
  return level?.id;
}

function squash(text: string): string {
  return text.toLowerCase().replace(/[\s_-]+/g, "");
}

function toList(value: unknown): string[] {
  const items = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  return items.map((item) => (typeof item === "string" || typeof item === "number" ? String(item).trim() : "")).filter(Boolean);
}

function text(value: unknown): string | undefined {
  if (typeof value === "number") return String(value);
  return typeof value === "string" && value.trim() ? value.trim() : undefined;
}

function summaryFromBody(tree: MdastRoot, config: ResolvedConfig): string | undefined {
  const summarySpec = config.sections[0] ?? { name: "Issue Summary", aliases: ["Summary"] };
  const start = tree.children.findIndex(
    (node) => node.type === "heading" && node.depth === 2 && matchSection(toString(node), [summarySpec]),
  );
  if (start < 0) return undefined;
  for (const node of tree.children.slice(start + 1)) {
    if (node.type === "heading" && node.depth <= 2) break;
    // Only a paragraph of its own is a summary; a list of "Duration: …" facts is not.
    if (node.type === "paragraph") return truncate(toString(node).replace(/\s+/g, " ").trim()) || undefined;
  }
  return undefined;
}

function truncate(text: string): string {
  return text.length <= SUMMARY_MAX ? text : `${text.slice(0, SUMMARY_MAX - 1).replace(/\s+\S*$/, "")}…`;
}
