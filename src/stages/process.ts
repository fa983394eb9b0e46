import { VFile } from "vfile";
import type { ResolvedConfig } from "../config.js";
import type { ImageStore } from "../images/store.js";
import { markdownLinks, postmortemLinks } from "../rules/links.js";
import { rules } from "../rules/index.js";
import { docTerms } from "../search/terms.js";
import type { ParsedPostmortem, SourceFile } from "../types.js";
import { formatBytes, toList } from "../util/format.js";
import { mustGet } from "../util/lookup.js";
import { addProblem, type Problem } from "../util/messages.js";
import type { VFileMessage } from "vfile-message";
import type { StoredImage } from "../images/store.js";
import { TimeLimitError, UNTIMED, type FileClock } from "./clock.js";
import { TOO_DEEP } from "./nesting.js";
import { parse } from "./parse.js";
import { renderBody } from "./render.js";
import { contentKey } from "../cache/keys.js";
import { bodyHash, type MessageRecord, type PostmortemRecord } from "./record.js";
import { fragmentHash, fragmentOf } from "../search/fragment.js";

const FILE_START = Object.freeze({ line: 1, column: 1 });
// Rules about other files are run across the archive, on the records; these need this file alone.
const fileRules = rules.filter((rule) => rule !== postmortemLinks);

/**
 * One postmortem through every stage that needs it alone: parse, the per-file rules, render
 * (skipped when there already is an error: that build fails anyway). Within its budgets: a file
 * over `limits.fileBytes` is not parsed, and one whose work outlasts `clock` is refused; either
 * is an error at the file, never a crash or a hang.
 */
export async function analyzeFile(source: SourceFile, config: ResolvedConfig, images: ImageStore, clock: FileClock = UNTIMED): Promise<PostmortemRecord> {
  const bytes = sourceBytes(source);
  if (bytes > config.limits.fileBytes) {
    return refusedRecord(source, config, {
      reason: `Unexpected file of ${formatBytes(bytes)}, expected at most ${formatBytes(config.limits.fileBytes)} (limits.fileBytes)`,
      ruleId: "limits/file-bytes",
      hint: "Split the postmortem, or move large data (logs, images) into files beside it; or raise limits.fileBytes in the config.",
    });
  }
  try {
    return await analyzeWithinBudget(source, config, images, clock);
  } catch (error) {
    if (error instanceof TimeLimitError) return refusedRecord(source, config, timeProblem(config));
    // The tree tools' own recursion, past the depth checks: a last resort.
    if (error instanceof RangeError && /call stack/i.test(error.message)) return refusedRecord(source, config, TOO_DEEP);
    throw error;
  }
}

async function analyzeWithinBudget(source: SourceFile, config: ResolvedConfig, images: ImageStore, clock: FileClock): Promise<PostmortemRecord> {
  const pm = clock.run(() => {
    const parsed = parse(source, config);
    const context = { pm: parsed, config, sources: new Set<string>(), placeOf: (field: string) => parsed.places.get(field)?.value ?? FILE_START };
    for (const rule of fileRules) rule.check(context);
    return parsed;
  });
  const used = new Set<string>();
  const localFiles = new Map<string, string>();
  let remote = false;
  const onImage = (stored: StoredImage) => {
    used.add(stored.path);
    if (stored.local) localFiles.set(stored.local.file, stored.local.hash);
    if (stored.remote) remote = true;
  };
  // Rendered even after an error, so that its image problems are reported in the same run.
  const body = pm.bodyOk ? await renderBody(pm, images, { onImage, maxBytes: config.limits.outputBytes, clock }) : undefined;
  const terms = body && clock.run(() => docTerms(pm.meta, body.text, config));
  if (body) checkOutputBytes(pm, Buffer.byteLength(body.html), config);
  // Hashed here, in the worker: the main thread keys pages and fragments without reading bodies.
  const info = body && {
    nonce: body.nonce,
    links: body.links,
    hash: bodyHash(body),
    fragment: fragmentHash(fragmentOf(pm.meta, body.text, config.taxonomies)),
  };
  return {
    relPath: source.relPath,
    meta: pm.meta,
    metaKey: contentKey(JSON.stringify(pm.meta)),
    slugPlace: pm.places.get("slug")?.value,
    messages: capped(pm.file.messages.map(messageRecord)),
    links: pm.bodyOk ? clock.run(() => markdownLinks(pm)) : [],
    body: info,
    contents: body && { html: body.html, toc: body.toc, text: body.text },
    terms,
    images: [...used].sort(),
    remote,
    localFiles: [...localFiles].sort(([a], [b]) => (a < b ? -1 : 1)).map(([file, hash]) => ({ file, hash })),
  };
}

/**
 * The bytes a postmortem adds to the archive: its page, and what lists show of it (title,
 * summary, impact and its terms' chips) on every list it is on: home, year, each of its terms,
 * feed, export, search, and the action items page once per item. Over `limits.outputBytes`, an
 * error: a 1 MB summary and 100 tags, or a long title and 4,000 action items, would otherwise
 * make hundreds of MB of pages.
 */
function checkOutputBytes(pm: ParsedPostmortem, pageBytes: number, config: ResolvedConfig): void {
  const custom = config.taxonomies.filter((key) => key !== "services" && key !== "tags" && key !== "severity").flatMap((key) => toList(pm.meta.data[key]));
  const terms = [...pm.meta.services, ...pm.meta.tags, ...custom];
  const lists = 6 + terms.length + pm.meta.actions.length;
  const listed =
    htmlBytes(pm.meta.title) + htmlBytes(pm.meta.summary ?? "") + htmlBytes(pm.meta.impact ?? "") + terms.reduce((n, term) => n + htmlBytes(term), 0);
  const total = pageBytes + listed * lists;
  if (total <= config.limits.outputBytes) return;
  addProblem(pm.file, {
    reason: `Unexpected ${formatBytes(total)} of pages for this postmortem, expected at most ${formatBytes(config.limits.outputBytes)} (limits.outputBytes)`,
    ruleId: "limits/output-bytes",
    place: pm.places.get("summary")?.value,
    hint: "Its title, summary, impact and terms are repeated on every list it is on (each of its terms, each action item): keep them short; or raise limits.outputBytes in the config.",
    severity: "error",
  });
}

/** The bytes of some text in HTML: UTF-8, with `&`, `<`, `>`, `"` and `'` written as entities. */
function htmlBytes(text: string): number {
  let entities = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 38 || c === 60 || c === 62 || c === 34 || c === 39) entities++;
  }
  return Buffer.byteLength(text) + 5 * entities;
}

/** A postmortem file's size in bytes, whether it was read or, too big, only measured. */
export function sourceBytes(source: SourceFile): number {
  return source.tooBig ?? Buffer.byteLength(source.text);
}

/** The problem of a postmortem whose processing outlasted `limits.fileMs`. */
export function timeProblem(config: ResolvedConfig): Omit<Problem, "severity"> {
  return {
    reason: `Unexpected processing time over ${config.limits.fileMs / 1000} s, expected at most ${config.limits.fileMs / 1000} s (limits.fileMs)`,
    ruleId: "limits/time",
    hint: "Long runs of `*` or `_`, or lazy lines in deeply nested quotes, make Markdown slow to parse: simplify them, or raise limits.fileMs in the config.",
  };
}

/** The problem of a postmortem too big for a worker's memory. */
export const MEMORY_PROBLEM: Omit<Problem, "severity"> = Object.freeze({
  reason: "Unexpected postmortem too big to process in a worker's memory",
  ruleId: "limits/memory",
  hint: "Split the postmortem or shorten its lists and tables; HINDSIGHT_WORKER_HEAP_MB raises a worker's memory (default 128).",
});

/**
 * The record of a postmortem refused whole, over a budget: only that error, and the metadata
 * its path gives (title and date from the file name), so that the rules across files still see it.
 */
export function refusedRecord(source: SourceFile, config: ResolvedConfig, problem: Omit<Problem, "severity">): PostmortemRecord {
  const pm = parse({ ...source, text: "" }, config);
  const file = new VFile({ path: source.path });
  addProblem(file, { ...problem, severity: "error" });
  return {
    relPath: source.relPath,
    meta: pm.meta,
    metaKey: contentKey(JSON.stringify(pm.meta)),
    slugPlace: undefined,
    messages: file.messages.map(messageRecord),
    links: [],
    body: undefined,
    terms: undefined,
    images: [],
    remote: false,
    localFiles: [],
  };
}

/** Messages of one rule kept per file: past that, one more says how many were left out. */
const MAX_PER_RULE = 100;

/**
 * A file's messages with at most `MAX_PER_RULE` of each rule, so that 8,000 broken images do
 * not make 3 MB of report: the rest are counted in one message of that rule, at the first of them.
 */
function capped(messages: readonly MessageRecord[]): MessageRecord[] {
  const counts = new Map<string | undefined, number>();
  const kept: MessageRecord[] = [];
  for (const m of messages) {
    const n = (counts.get(m.ruleId) ?? 0) + 1;
    counts.set(m.ruleId, n);
    if (n <= MAX_PER_RULE) kept.push(m);
    else if (n === MAX_PER_RULE + 1) kept.push({ ...m, reason: "", note: "" });
  }
  return kept.map((m) => {
    if (m.reason !== "") return m;
    const more = mustGet(counts, m.ruleId, "the messages per rule") - MAX_PER_RULE;
    return {
      ...m,
      reason: `Unexpected ${more} more problem${more === 1 ? "" : "s"} like the ones above in this file, not shown`,
      note: `Fix the ones shown (${m.ruleId ?? "this rule"}) and check again.`,
    };
  });
}

function messageRecord(m: VFileMessage): MessageRecord {
  return {
    reason: m.reason,
    line: m.line ?? 1,
    column: m.column ?? 1,
    ruleId: m.ruleId,
    note: m.note,
    fatal: m.fatal === true ? true : m.fatal === false ? false : undefined,
  };
}
