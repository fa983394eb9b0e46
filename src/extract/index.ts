import type { Heading, Root as MdastRoot } from "mdast";
import { toString } from "mdast-util-to-string";
import type { Point } from "unist";
import type { ExtractorId, ResolvedConfig } from "../config.js";
import { isGiven } from "../rules/rule.js";
import type { FieldPlace } from "../stages/frontmatter.js";
import type { SourceFile } from "../types.js";
import type { Problem } from "../util/messages.js";
import { normalizeSeverity } from "../util/severity.js";
import { formatDuration } from "../util/time.js";
import { authorsFromSection } from "./authors.js";
import { dateFromPath } from "./date-from-path.js";
import { dateFromText } from "./date-from-text.js";
import { dateFromTimeline } from "./date-from-timeline.js";
import { dateFromTitle } from "./date-from-title.js";
import { leadingDay, type Found } from "./found.js";
import { labelledLines, parseWrittenDuration, splitNames } from "./labelled-lines.js";
import { summaryFromBody } from "./summary.js";

/** Each extractor's messages' rule id. */
const RULE_IDS: Record<ExtractorId, { ruleId: string }> = {
  "date-from-path": { ruleId: "extract/date-from-path" },
  "date-from-title": { ruleId: "extract/date-from-title" },
  "date-from-timeline": { ruleId: "extract/date-from-timeline" },
  "date-from-text": { ruleId: "extract/date-from-text" },
  "labelled-lines": { ruleId: "extract/labelled-lines" },
  authors: { ruleId: "extract/authors" },
  "summary-list": { ruleId: "extract/summary-list" },
};

/** Metadata read from the text, for the fields the frontmatter leaves out. */
export interface ExtractedMeta {
  /** ISO date. */
  readonly date?: string;
  /** A level of the scale. */
  readonly severity?: string;
  readonly durationMinutes?: number;
  readonly impact?: string;
  readonly services?: readonly string[];
  readonly authors?: readonly string[];
  readonly summary?: string;
  /** The fields above that were found, by frontmatter name (`date`, `duration`, …). */
  readonly fromText: readonly string[];
}

/**
 * Runs the extractors (README, "Adopting an existing archive") that `config.extract` leaves on,
 * for the fields `data` lacks (and does not derive): each value found comes with an info message saying where it
 * was read, at its place in the file.
 */
export function extractMeta(
  tree: MdastRoot,
  source: SourceFile,
  data: Readonly<Record<string, unknown>>,
  places: ReadonlyMap<string, FieldPlace>,
  config: ResolvedConfig,
  /** Fields the frontmatter gives through other keys (`duration` from `started` and `resolved`). */
  derived: readonly string[] = [],
): { values: ExtractedMeta; notes: Problem[] } {
  const on = (id: ExtractorId) => config.extract[id];
  const notes: Problem[] = [];
  const values: { -readonly [K in keyof ExtractedMeta]: ExtractedMeta[K] } = { fromText: [] };
  // `value` as frontmatter would have it; `shown` as the message names it.
  const took = (field: string, value: string, shown: string, from: string, extractor: ExtractorId, place: Point | undefined) => {
    (values.fromText as string[]).push(field);
    notes.push({
      reason: `Missing \`${field}\`, using ${shown} from ${from}`,
      ruleId: RULE_IDS[extractor].ruleId,
      place,
      hint: `Add \`${field}: ${value}\` to the frontmatter, or switch this off with \`extract: { "${extractor}": false }\` in the config.`,
      severity: "info",
    });
  };
  const lines = on("labelled-lines") ? labelledLines(tree, source.text) : {};

  if (data.date === undefined) {
    // A labelled `Date:` line says what the author meant; a path or title often gives the day it was written.
    const labelled = lines.date && leadingDayFound(lines.date);
    const path = on("date-from-path") ? dateFromPath(source.relPath) : undefined;
    const title = on("date-from-title") ? titleDate(tree, data, places) : undefined;
    const timeline = !labelled && path?.precision !== "day" && !title && on("date-from-timeline") ? dateFromTimeline(tree, config.sections) : undefined;
    const prose = !labelled && path?.precision !== "day" && !title && !timeline && on("date-from-text") ? dateFromText(tree) : undefined;
    if (labelled) took("date", labelled.value, labelled.value, "the line `Date: …`", "labelled-lines", labelled.place);
    else if (path?.precision === "day") took("date", path.value, path.value, path.from, "date-from-path", undefined);
    else if (title) took("date", title.value, title.value, "the title", "date-from-title", title.place);
    else if (timeline) took("date", timeline.value, timeline.value, "the first dated entry of the timeline", "date-from-timeline", timeline.place);
    else if (prose) took("date", prose.value, prose.value, "the first date of the text", "date-from-text", prose.place);
    else if (path) took("date", path.value, path.value, path.from, "date-from-path", undefined);
    values.date = labelled?.value ?? (path?.precision === "day" ? path.value : undefined) ?? title?.value ?? timeline?.value ?? prose?.value ?? path?.value;
  }
  if (!isGiven(data.severity) && lines.severity) {
    const written = lines.severity.value;
    const level = normalizeSeverity(written, config.severities) ?? normalizeSeverity(written.split(/[\s(,;-]/)[0], config.severities);
    if (level) {
      values.severity = level;
      took("severity", level, `\`${level}\``, `\`${shorten(written)}\` in the text`, "labelled-lines", lines.severity.place);
    }
  }
  if (!isGiven(data.duration) && !derived.includes("duration") && lines.duration) {
    const minutes = parseWrittenDuration(lines.duration.value);
    if (minutes !== undefined) {
      values.durationMinutes = minutes;
      took(
        "duration",
        formatDuration(minutes).replace(/ /g, ""),
        `\`${formatDuration(minutes).replace(/ /g, "")}\``,
        `\`${shorten(lines.duration.value)}\` in the text`,
        "labelled-lines",
        lines.duration.place,
      );
    }
  }
  if (!isGiven(data.impact) && lines.impact) {
    values.impact = lines.impact.value;
    took("impact", "…", "a sentence", "the line `Impact: …`", "labelled-lines", lines.impact.place);
  }
  if (!isGiven(data.services) && lines.services) {
    const names = splitNames(lines.services.value);
    if (names.length > 0) {
      values.services = names;
      took("services", `[${names.join(", ")}]`, `\`[${names.join(", ")}]\``, "a labelled line", "labelled-lines", lines.services.place);
    }
  }
  if (!isGiven(data.authors) && on("authors")) {
    const authors = authorsFromSection(tree);
    if (authors) {
      values.authors = authors.value;
      took("authors", `[${authors.value.join(", ")}]`, `\`[${authors.value.join(", ")}]\``, "its Authors section", "authors", authors.place);
    }
  }
  if (!isGiven(data.summary)) {
    const summary = summaryFromBody(tree, config.sections, on("summary-list"));
    values.summary = summary?.value;
    // A paragraph of the summary section is the documented fallback (DESIGN.md), said nowhere; a list is new.
    if (summary?.fromList) took("summary", "…", "the first items", "the list of the summary section", "summary-list", summary.place);
  }
  // In the order of the file, as a reader meets them (those about the path first).
  notes.sort((a, b) => (a.place?.line ?? 0) - (b.place?.line ?? 0) || (a.place?.column ?? 0) - (b.place?.column ?? 0));
  return { values, notes };
}

/** The date a title starts with, from the frontmatter `title` or else the first `#` heading. */
function titleDate(
  tree: MdastRoot,
  data: Readonly<Record<string, unknown>>,
  places: ReadonlyMap<string, FieldPlace>,
): { value: string; place: Point | undefined } | undefined {
  if (typeof data.title === "string") {
    const value = dateFromTitle(data.title);
    return value ? { value, place: places.get("title")?.value } : undefined;
  }
  const h1 = tree.children.find((node): node is Heading => node.type === "heading" && node.depth === 1);
  const value = h1 && dateFromTitle(toString(h1));
  return value ? { value, place: h1.position?.start } : undefined;
}

function shorten(text: string): string {
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

/** The day a labelled line's value starts with, where the line is written. */
function leadingDayFound(line: Found<string>): Found<string> | undefined {
  const day = leadingDay(line.value);
  return day === undefined ? undefined : { value: day, place: line.place };
}
