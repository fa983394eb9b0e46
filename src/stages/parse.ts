import type { Heading, Root as MdastRoot } from "mdast";
import type { Point } from "unist";
import { toString } from "mdast-util-to-string";
import remarkGfm from "remark-gfm";
import remarkParse from "remark-parse";
import { unified } from "unified";
import { VFile } from "vfile";
import { DEFAULT_SECTIONS, type ResolvedConfig, type SeverityLevel } from "../config.js";
import { STATUSES, type ParsedPostmortem, type PostmortemMeta, type SourceFile, type Status } from "../types.js";
import { toList } from "../util/format.js";
import { report, type Problem } from "../util/messages.js";
import { matchSection } from "../util/sections.js";
import { slugFromPath } from "../util/slug.js";
import { extractActions } from "./actions.js";
import { readFrontmatter } from "./frontmatter.js";
import { MAX_NESTING, tooDeepTree, tooDeeplyNested } from "./nesting.js";
import { parseDate, parseDuration } from "../util/time.js";

const markdown = unified().use(remarkParse).use(remarkGfm).freeze();

const SUMMARY_MAX = 280;

/**
 * Parses one postmortem: frontmatter into normalised metadata, the body into mdast. Problems
 * become messages on the returned `file`; a frontmatter that cannot be read is an error and
 * yields metadata from the fallbacks alone.
 */
export function parse(source: SourceFile, config: ResolvedConfig): ParsedPostmortem {
  const file = new VFile({ path: source.path, value: source.text });
  const { data, places, ok, body, bodyLine } = readFrontmatter(source.text, file);
  const deep = tooDeeplyNested(body, bodyLine);
  if (deep) {
    report(file, {
      reason: `Unexpected nesting deeper than ${MAX_NESTING} levels`,
      ruleId: "content/too-deep",
      place: deep,
      hint: "Flatten the quotes or lists; no postmortem needs them this deep.",
      severity: "error",
    });
  }
  const tree = deep ? EMPTY : parseBody(body, bodyLine, file);
  // After a broken frontmatter, fallback warnings would only be noise: the fields are there.
  const note: Note = ok ? (problem) => report(file, problem) : () => {};
  const meta = normalizeMeta(data, tree, source, note, config);
  return { source, file, meta, tree, places, frontmatterOk: ok, bodyOk: tree !== EMPTY };
}

const EMPTY: MdastRoot = Object.freeze({ type: "root", children: [] }) as unknown as MdastRoot;

/** The body's tree, or `EMPTY` (with an error) when its inline markup nests too deep to render. */
function parseBody(body: string, bodyLine: number, file: VFile): MdastRoot {
  const tooDeep = (place: Point | undefined) => {
    report(file, {
      reason: "Unexpected nesting too deep to render (emphasis, links or HTML elements inside one another)",
      ruleId: "content/too-deep",
      place,
      hint: "Flatten the nested markup; no postmortem needs it this deep.",
      severity: "error",
    });
    return EMPTY;
  };
  let tree: MdastRoot;
  try {
    // Padding the body with the frontmatter's line count keeps mdast positions true to the file.
    tree = markdown.parse("\n".repeat(bodyLine - 1) + body);
  } catch (error) {
    // The parser's own transforms recurse (GFM autolinks): a last resort, the checks around it come first.
    if (error instanceof RangeError) return tooDeep(undefined);
    throw error;
  }
  const deepest = tooDeepTree(tree);
  return deepest ? tooDeep(deepest) : tree;
}

type Note = (problem: Problem) => void;

function normalizeMeta(
  data: Record<string, unknown>,
  tree: MdastRoot,
  source: SourceFile,
  note: Note,
  config: ResolvedConfig,
): PostmortemMeta {
  const instant = parseDate(data.date) ?? dateFromFileName(source, note, data);
  const started = parseDate(data.started) ?? (instant?.hasTime ? instant : undefined);
  const since = (field: string) => {
    const end = parseDate(data[field]);
    return started && end && end.ms >= started.ms ? (end.ms - started.ms) / 60_000 : undefined;
  };
  // Only a string is a status: anything else (a list, an alias bomb) reads as final.
  const status = typeof data.status === "string" ? data.status.trim().toLowerCase() : "final";
  const { title, titleFrom } = titleOf(data, tree, source, note);
  return {
    slug: typeof data.slug === "string" && data.slug.trim() ? slugFromPath(data.slug.trim()) : slugFromPath(source.relPath),
    title,
    titleFrom,
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
    durationMinutes: parseDuration(data.duration) ?? since("resolved"),
    timeToDetect: since("detected"),
    timeToMitigate: since("mitigated"),
    timeToResolve: since("resolved"),
    actions: extractActions(tree, config.sections),
    data,
  };
}

function titleOf(data: Record<string, unknown>, tree: MdastRoot, source: SourceFile, note: Note): Pick<PostmortemMeta, "title" | "titleFrom"> {
  const given = text(data.title);
  if (given) return { title: given, titleFrom: "frontmatter" };
  const h1 = tree.children.find((node): node is Heading => node.type === "heading" && node.depth === 1);
  const fromHeading = h1 && toString(h1).trim();
  if (fromHeading) {
    note({ reason: "Missing `title`, using the first `#` heading", ruleId: "title/fallback", place: h1.position?.start, hint: "Add `title:` to the frontmatter." });
    return { title: fromHeading, titleFrom: "heading" };
  }
  // A missing title is the `frontmatter/required` rule's to report, when titles are required.
  return { title: titleFromFileName(source.relPath), titleFrom: "file" };
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
  const instant = match ? parseDate(match[1]) : undefined;
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

function text(value: unknown): string | undefined {
  if (typeof value === "number") return String(value);
  return typeof value === "string" && value.trim() ? value.trim() : undefined;
}

function summaryFromBody(tree: MdastRoot, config: ResolvedConfig): string | undefined {
  // The section playing the summary role; with the section check off, the default one's names.
  const summarySpec = config.sections.find((spec) => spec.role === "summary") ?? (config.sections.length === 0 ? DEFAULT_SECTIONS[0]! : undefined);
  if (!summarySpec) return undefined;
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
