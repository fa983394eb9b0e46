import path from "node:path";
import type { VFile } from "vfile";
import { severityOf } from "../util/messages.js";
import { escapeTerminal } from "../util/terminal.js";

/**
 * Formats the messages as GitHub Actions workflow commands, which annotate the pull request:
 * `::error file=content/a.md,line=3,col=1,title=frontmatter/required::Missing …` (an info is a `::notice`).
 */
export function formatGithub(files: readonly VFile[], options: { cwd?: string } = {}): string {
  const cwd = options.cwd ?? process.cwd();
  const lines: string[] = [];
  for (const file of files) {
    const name = path.relative(cwd, file.path).split(path.sep).join("/") || file.path;
    for (const m of file.messages) {
      const props = [`file=${escapeProperty(name)}`, `line=${m.line ?? 1}`, `col=${m.column ?? 1}`, `title=${escapeProperty(m.ruleId ?? "hindsight")}`];
      // A line break inside a value is shown (`\x0a`); the one before the hint is ours (`%0A`).
      const text = m.note ? `${escapeTerminal(m.reason)}\n${escapeTerminal(m.note)}` : escapeTerminal(m.reason);
      lines.push(`::${COMMANDS[severityOf(m)]} ${props.join(",")}::${escapeData(text)}`);
    }
  }
  return lines.join("\n");
}

const COMMANDS = { error: "error", warning: "warning", info: "notice" } as const;

// https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts
function escapeData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

// A line break in a file name is percent-encoded, which the runner decodes, so the annotation
// still lands on the file; any other control or format character is shown escaped.
function escapeProperty(text: string): string {
  return escapeTerminal(escapeData(text).replace(/:/g, "%3A").replace(/,/g, "%2C"));
}
