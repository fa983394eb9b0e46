import fs from "node:fs";
import path from "node:path";
import { VFile } from "vfile";
import type { MessageRecord } from "../stages/record.js";
import { writeFileAtomic } from "../util/atomic.js";
import { debug } from "../util/debug.js";
import { contentKey } from "./keys.js";
import { RACY_MS, sameStamp, stampOf, type Stamp } from "./stamps.js";

/**
 * What a build says, kept so that a build made from the same inputs says it again without
 * reading a record: its counts, and each postmortem's messages after the rule settings.
 */
export interface LastBuildReport {
  readonly postmortems: number;
  readonly indexPages: number;
  readonly imageFiles: number;
  /** Every postmortem found, in order: its path in the content folder and its messages. */
  readonly files: readonly (readonly [relPath: string, messages: readonly KeptMessage[]])[];
}

/** A message as kept: a record's message, whose place a message across files may lack. */
type KeptMessage = Omit<MessageRecord, "line" | "column"> & { readonly line?: number | undefined; readonly column?: number | undefined };

/** `.cache/outputs/<name>.last.json`: the report of the build of a `build` key, and the stamps of its local images. */
interface Saved {
  readonly version: 1;
  readonly key: string;
  readonly report: LastBuildReport;
  readonly localFiles: Readonly<Record<string, Stamp>>;
}

/**
 * The last build's report, beside its output folder's manifest (see write/manifest.ts), which
 * names the same `build` key. The key covers every text, but not the local image files a body
 * shows: their stamps are kept here, as `TextStamps` keeps the texts', and a build whose image
 * changed is made again. A build with a downloaded image or an image problem keeps nothing:
 * downloads are checked again after a day, and a missing image may appear.
 */
export class LastBuild {
  constructor(private readonly file: string) {}

  /** The report kept for this key, while the local image files are as they were; undefined otherwise. */
  read(key: string): LastBuildReport | undefined {
    let saved: unknown;
    try {
      // Another key's report (the usual case after an edit) is told from its first bytes: 25 MB at 100,000 are not read.
      const head = Buffer.from(`{"version":1,"key":${JSON.stringify(key)},`);
      if (!startsWith(this.file, head)) return undefined;
      saved = JSON.parse(fs.readFileSync(this.file, "utf8"));
      if (!isSaved(saved, key)) return undefined;
    } catch (error) {
      debug("cache", "no report of the last build, or a damaged one: the build is made", error);
      return undefined;
    }
    for (const [file, stamp] of Object.entries(saved.localFiles)) {
      const stat = fs.statSync(file, { throwIfNoEntry: false });
      if (!stat?.isFile() || !Array.isArray(stamp) || !sameStamp(stampOf(stat), stamp)) return undefined;
    }
    return saved.report;
  }

  /**
   * Keeps the report of a build that wrote its output, with the stamps of the local image files
   * its postmortems show (of these content hashes). Nothing is kept when an image file changed
   * since it was hashed, or so recently that its stamp cannot tell the next change.
   */
  save(key: string, report: LastBuildReport, localFiles: readonly { readonly file: string; readonly hash: string }[]): void {
    try {
      const stamps: Record<string, Stamp> = {};
      for (const { file, hash } of localFiles) {
        // The stamp first: a change after it, before the hash, shows in one or the other.
        const stat = fs.statSync(file);
        if (Date.now() - stat.mtimeMs < RACY_MS || contentKey(fs.readFileSync(file)) !== hash) {
          this.forget();
          return;
        }
        stamps[file] = stampOf(stat);
      }
      const saved: Saved = { version: 1, key, report, localFiles: stamps };
      writeFileAtomic(this.file, JSON.stringify(saved));
    } catch (error) {
      debug("cache", "the report of the build could not be kept (the next build is made in full)", error);
      this.forget();
    }
  }

  /** Drops the report: the next build is made in full. */
  forget(): void {
    try {
      fs.rmSync(this.file, { force: true });
    } catch (error) {
      debug("cache", "the report of the last build could not be removed", error);
    }
  }
}

/** Whether a file starts with these bytes, read without reading the rest. */
function startsWith(file: string, head: Buffer): boolean {
  const fd = fs.openSync(file, "r");
  try {
    const start = Buffer.alloc(head.length);
    return fs.readSync(fd, start, 0, head.length, 0) === head.length && start.equals(head);
  } finally {
    fs.closeSync(fd);
  }
}

/** Each postmortem's messages, as a build's report keeps them. */
export function messagesOf(relPath: string, file: VFile): readonly [string, KeptMessage[]] {
  const messages = file.messages.map(({ reason, line, column, ruleId, note, fatal }) => ({
    reason,
    line: line ?? undefined,
    column: column ?? undefined,
    ruleId,
    note,
    fatal: fatal ?? undefined,
  }));
  return [relPath, messages];
}

/** The postmortems' files of a report, with their messages, as the build that kept it had them. */
export function filesOf(report: LastBuildReport, contentDir: string): VFile[] {
  return report.files.map(([relPath, messages]) => {
    const file = new VFile({ path: path.join(contentDir, relPath) });
    for (const m of messages) {
      const place = m.line === undefined ? undefined : { line: m.line, column: m.column ?? 1 };
      const message = file.message(m.reason, { place, ruleId: m.ruleId, source: "hindsight" });
      message.note = m.note;
      message.fatal = m.fatal;
    }
    return file;
  });
}

/** Whether a parsed file is a report of this key, with the shape `save` writes. */
function isSaved(value: unknown, key: string): value is Saved {
  if (typeof value !== "object" || value === null) return false;
  const saved = value as Record<string, unknown>;
  return saved.version === 1 && saved.key === key && isReport(saved.report) && typeof saved.localFiles === "object" && saved.localFiles !== null;
}

/** Whether a parsed report has the shape `save` writes, as far as a build relies on it. */
function isReport(value: unknown): value is LastBuildReport {
  if (typeof value !== "object" || value === null) return false;
  const report = value as Record<string, unknown>;
  return (
    ["postmortems", "indexPages", "imageFiles"].every((name) => typeof report[name] === "number") &&
    Array.isArray(report.files) &&
    report.files.every((entry) => Array.isArray(entry) && typeof entry[0] === "string" && Array.isArray(entry[1]) && entry[1].every(isMessage))
  );
}

function isMessage(value: unknown): value is KeptMessage {
  if (typeof value !== "object" || value === null) return false;
  const { reason, line, column, ruleId, note, fatal } = value as Record<string, unknown>;
  return (
    typeof reason === "string" &&
    ["number", "undefined"].includes(typeof line) &&
    ["number", "undefined"].includes(typeof column) &&
    ["string", "undefined"].includes(typeof ruleId) &&
    ["string", "undefined"].includes(typeof note) &&
    ["boolean", "undefined"].includes(typeof fatal)
  );
}
