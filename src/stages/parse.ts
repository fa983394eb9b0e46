import type { Heading, Root as MdastRoot } from "mdast";
import type { Point } from "unist";
import { toString } from "mdast-util-to-string";
import { VFile } from "vfile";
import type { ResolvedConfig } from "../config.js";
import { extractMeta } from "../extract/index.js";
import { STATUSES, type ParsedPostmortem, type PostmortemMeta, type SourceFile, type Status } from "../types.js";
import { toList } from "../util/format.js";
import { addProblem, type Problem } from "../util/messages.js";
import { normalizeSeverity } from "../util/severity.js";
import { baseName, namedById } from "../util/file-name.js";
import { slugFromPath } from "../util/slug.js";
import { extractActions } from "./actions.js";
import { parseMarkdown } from "./markdown.js";
import { readFrontmatter, type FieldPlace } from "./frontmatter.js";
import { MAX_NESTING, TOO_DEEP, tooDeepTree, tooDeeplyNested } from "./nesting.js";
import { parseDate, parseDuration, parseLenientInstant } from "../util/time.js";
import { DATE_FIELDS } from "../rules/dates.js";

export { normalizeSeverity } from "../util/severity.js";

/**
 * Parses one postmortem: frontmatter into normalised metadata, the body into mdast. Problems
 * become messages on the returned `file`; a frontmatter that cannot be read is an error and
 * yields metadata from the fallbacks alone.
 */
export function parse(source: SourceFile, config: ResolvedConfig): ParsedPostmortem {
  const file = new VFile({ path: source.path, value: source.text });
  const frontmatter = readFrontmatter(source.text, file);
  const { ok, body, bodyLine } = frontmatter;
  const { data, places } = mapFields({ ...frontmatter.data }, frontmatter.places, config.fieldMap);
  const deep = tooDeeplyNested(body, bodyLine);
  if (deep) {
    addProblem(file, {
      reason: `Unexpected nesting deeper than ${MAX_NESTING} levels`,
      ruleId: "content/too-deep",
      place: deep,
      hint: "Flatten the quotes or lists; no postmortem needs them this deep.",
      severity: "error",
    });
  }
  const tree = deep ? EMPTY : parseBody(body, bodyLine, file);
  // After a broken frontmatter, fallback warnings would only be noise: the fields are there.
  const note: Note = ok ? (problem) => addProblem(file, problem) : () => {};
  readLenientDates(data, places, note);
  const meta = normalizeMeta(data, places, tree, source, note, config);
  return { source, file, meta, tree, places, frontmatterOk: ok, bodyOk: tree !== EMPTY };
}

const EMPTY: MdastRoot = Object.freeze({ type: "root", children: [] });

/** The body's tree, or `EMPTY` (with an error) when its inline markup nests too deep to render. */
function parseBody(body: string, bodyLine: number, file: VFile): MdastRoot {
  const tooDeep = (place: Point | undefined) => {
    addProblem(file, { ...TOO_DEEP, place });
    return EMPTY;
  };
  let tree: MdastRoot;
  try {
    // Padding the body with the frontmatter's line count keeps mdast positions true to the file.
    tree = parseMarkdown("\n".repeat(bodyLine - 1) + body);
  } catch (error) {
    // The parser's own transforms recurse (GFM autolinks): a last resort, the checks around it come first.
    if (error instanceof RangeError) return tooDeep(undefined);
    throw error;
  }
  const deepest = tooDeepTree(tree);
  return deepest ? tooDeep(deepest) : tree;
}

type Note = (problem: Problem) => void;

/**
 * `fields.map`: each field read from the key it maps to (`date: "start_time"`), when that key
 * has a value; the key stays too, and messages about the field point at it.
 */
export function mapFields(
  data: Record<string, unknown>,
  places: ReadonlyMap<string, FieldPlace>,
  map: Readonly<Record<string, string>>,
): { data: Record<string, unknown>; places: ReadonlyMap<string, FieldPlace> } {
  const entries = Object.entries(map).filter(([, key]) => data[key] !== undefined && data[key] !== null && data[key] !== "");
  if (entries.length === 0) return { data, places };
  const mapped = { ...data };
  const mappedPlaces = new Map(places);
  for (const [field, key] of entries) {
    mapped[field] = data[key];
    const place = places.get(key);
    if (place) mappedPlaces.set(field, place);
  }
  return { data: mapped, places: mappedPlaces };
}

/**
 * Date fields written loosely (`2020-12-07T8:00:00`, `2020-12-07 13:00 UTC`) are read, with a
 * warning, and stand in `data` as the ISO date they mean, so every rule and page sees that.
 */
function readLenientDates(data: Record<string, unknown>, places: ReadonlyMap<string, FieldPlace>, note: Note): void {
  for (const field of DATE_FIELDS) {
    const value = data[field];
    if (typeof value !== "string" || parseDate(value)) continue;
    const instant = parseLenientInstant(value);
    if (!instant) continue;
    data[field] = instant.iso;
    note({
      reason: `Unexpected ${field} \`${value.length > 40 ? `${value.slice(0, 39)}…` : value}\`, read as ${instant.iso}`,
      ruleId: "date/lenient",
      place: places.get(field)?.value,
      hint: `Write it as ISO 8601: \`${field}: ${instant.iso}\`.`,
    });
  }
}

function normalizeMeta(
  data: Record<string, unknown>,
  places: ReadonlyMap<string, FieldPlace>,
  tree: MdastRoot,
  source: SourceFile,
  note: Note,
  config: ResolvedConfig,
): PostmortemMeta {
  // A date read from the text is a day, never a start time: `started` comes from the frontmatter alone.
  const given = parseDate(data.date);
  const started = parseDate(data.started) ?? (given?.hasTime ? given : undefined);
  const since = (field: string) => {
    const end = parseDate(data[field]);
    return started && end && end.ms >= started.ms ? (end.ms - started.ms) / 60_000 : undefined;
  };
  const { values: found, notes } = extractMeta(tree, source, data, places, config, since("resolved") === undefined ? [] : ["duration"]);
  for (const problem of notes) note(problem);
  const instant = given ?? parseDate(found.date);
  // Only a string is a status: anything else (a list, an alias bomb) reads as final.
  const status = typeof data.status === "string" ? data.status.trim().toLowerCase() : "final";
  const { title, titleFrom } = titleOf(data, tree, source, note);
  return {
    slug: typeof data.slug === "string" && data.slug.trim() ? slugFromPath(data.slug.trim()) : slugFromPath(source.relPath),
    title,
    titleFrom,
    date: instant?.iso,
    year: instant?.iso.slice(0, 4),
    severity: normalizeSeverity(data.severity, config.severities) ?? found.severity,
    services: found.services ?? toList(data.services),
    tags: toList(data.tags),
    authors: found.authors ?? toList(data.authors),
    status: (STATUSES as readonly string[]).includes(status) ? (status as Status) : "final",
    summary: text(data.summary) ?? found.summary,
    impact: text(data.impact) ?? found.impact,
    incidentId: text(data.incident_id),
    durationMinutes: parseDuration(data.duration) ?? since("resolved") ?? found.durationMinutes,
    timeToDetect: since("detected"),
    timeToMitigate: since("mitigated"),
    timeToResolve: since("resolved"),
    actions: extractActions(tree, config.sections),
    fromText: found.fromText,
    data,
  };
}

function titleOf(data: Record<string, unknown>, tree: MdastRoot, source: SourceFile, note: Note): Pick<PostmortemMeta, "title" | "titleFrom"> {
  const given = text(data.title);
  if (given) return { title: given, titleFrom: "frontmatter" };
  const h1 = tree.children.find((node): node is Heading => node.type === "heading" && node.depth === 1);
  const fromHeading = h1 && toString(h1).trim();
  if (fromHeading) {
    note({
      reason: "Missing `title`, using the first `#` heading",
      ruleId: "title/fallback",
      place: h1.position?.start,
      hint: "Add `title:` to the frontmatter.",
    });
    return { title: fromHeading, titleFrom: "heading" };
  }
  // A missing title is the `frontmatter/required` rule's to report, when titles are required.
  // A name that says nothing gives way to the text's first sentence.
  const sentence = namedById(source.relPath) ? firstSentence(tree) : undefined;
  if (sentence) return { title: sentence, titleFrom: "text" };
  return { title: titleFromFileName(source.relPath), titleFrom: "file" };
}

/** The longest title made from a sentence, cut at a word. */
const SENTENCE_TITLE = 90;

/** The first sentence of the first paragraph, cut at a word past SENTENCE_TITLE characters. */
function firstSentence(tree: MdastRoot): string | undefined {
  const paragraph = tree.children.find((node) => node.type === "paragraph");
  const text = paragraph && toString(paragraph).replace(/\s+/g, " ").trim();
  if (!text) return undefined;
  const sentence = (/^.+?[.!?](?=\s|$)/.exec(text)?.[0] ?? text).replace(/\.$/, "");
  if (sentence.length <= SENTENCE_TITLE) return sentence;
  const cut = sentence.slice(0, SENTENCE_TITLE + 1);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(" "), SENTENCE_TITLE / 2)).trimEnd()}…`;
}

/** `2021-05-09-negative-coin-values.md` → `Negative coin values`. */
function titleFromFileName(relPath: string): string {
  const base = baseName(relPath);
  const words =
    base
      .replace(/^\d{4}-\d{2}-\d{2}[-_ ]*/, "")
      .replace(/[-_]+/g, " ")
      .trim() || base;
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function text(value: unknown): string | undefined {
  if (typeof value === "number") return String(value);
  return typeof value === "string" && value.trim() ? value.trim() : undefined;
}
