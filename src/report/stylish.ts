import path from "node:path";
import type { VFile } from "vfile";
import type { VFileMessage } from "vfile-message";
import { plural } from "../util/format.js";
import { severityOf } from "../util/messages.js";
import { escapeTerminal } from "../util/terminal.js";

/** Options of the human-readable report. */
export interface StylishOptions {
  /** Paths are shown relative to this folder. @default process.cwd() */
  readonly cwd?: string;
  /** Use ANSI colours. @default false */
  readonly color?: boolean;
}

const ANSI = { red: 31, yellow: 33, blue: 34, dim: 2, bold: 1, underline: 4 } as const;

/**
 * Formats every message of every file, grouped by file, eslint-style:
 * `12:3  error  Cannot parse frontmatter …  frontmatter/syntax` with the fix hint below it.
 */
export function formatStylish(files: readonly VFile[], options: StylishOptions = {}): string {
  const paint = (code: keyof typeof ANSI, text: string) => (options.color ? `\u001b[${ANSI[code]}m${text}\u001b[0m` : text);
  const cwd = options.cwd ?? process.cwd();
  const lines: string[] = [];
  let errors = 0;
  let warnings = 0;
  let infos = 0;
  for (const file of files) {
    if (file.messages.length === 0) continue;
    lines.push(paint("underline", fileHeader(path.relative(cwd, file.path) || file.path)));
    for (const message of [...file.messages].sort(byPlace)) {
      const severity = severityOf(message);
      if (severity === "error") errors++;
      else if (severity === "warning") warnings++;
      else infos++;
      const place = `${message.line ?? 1}:${message.column ?? 1}`.padEnd(7);
      const level = severity === "error" ? paint("red", "error  ") : severity === "warning" ? paint("yellow", "warning") : paint("blue", "info   ");
      lines.push(`  ${place} ${level}  ${escapeTerminal(message.reason)}  ${paint("dim", escapeTerminal(message.ruleId ?? ""))}`);
      if (message.note) lines.push(`  ${" ".repeat(7)} ${paint("dim", `hint: ${escapeTerminal(message.note)}`)}`);
    }
    lines.push("");
  }
  if (errors + warnings > 0) {
    const summary = `${plural(errors + warnings, "problem")} (${plural(errors, "error")}, ${plural(warnings, "warning")})${infos ? `, ${plural(infos, "info")}` : ""}`;
    lines.push(paint("bold", errors ? paint("red", `✖ ${summary}`) : paint("yellow", `⚠ ${summary}`)));
  } else if (infos > 0) {
    lines.push(paint("bold", paint("blue", `ℹ ${plural(infos, "info")}, no problems`)));
  }
  return lines.join("\n");
}

/**
 * A file's path on a line of its own, escaped; `./` before one that would begin with `::`
 * (after white space, which a CI runner skips), which would be read as a workflow command.
 */
function fileHeader(name: string): string {
  const escaped = escapeTerminal(name);
  return /^\s*::/u.test(escaped) ? `./${escaped}` : escaped;
}

function byPlace(a: VFileMessage, b: VFileMessage): number {
  return (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0);
}
