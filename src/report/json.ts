import path from "node:path";
import type { VFile } from "vfile";
import { severityOf, type Severity } from "../util/messages.js";
import { stringifyForTerminal } from "../util/terminal.js";

/** One message in the JSON report. */
export interface JsonMessage {
  readonly line: number;
  readonly column: number;
  readonly severity: Severity;
  readonly ruleId: string | undefined;
  readonly message: string;
  readonly hint: string | undefined;
}

/**
 * Formats the messages as JSON: `[{ file, errorCount, warningCount, infoCount, messages: [...] }]`, every
 * file included. Values are the real ones, control and format characters written as JSON
 * escapes (`\u001b`, `\u202e`), so that the JSON is safe on a terminal and parses back the same.
 */
export function formatJson(files: readonly VFile[], options: { cwd?: string } = {}): string {
  const cwd = options.cwd ?? process.cwd();
  const report = files.map((file) => {
    const messages: JsonMessage[] = file.messages.map((m) => ({
      line: m.line ?? 1,
      column: m.column ?? 1,
      severity: severityOf(m),
      ruleId: m.ruleId,
      message: m.reason,
      hint: m.note,
    }));
    return {
      file: path.relative(cwd, file.path) || file.path,
      errorCount: messages.filter((m) => m.severity === "error").length,
      warningCount: messages.filter((m) => m.severity === "warning").length,
      infoCount: messages.filter((m) => m.severity === "info").length,
      messages,
    };
  });
  return stringifyForTerminal(report, 2);
}
