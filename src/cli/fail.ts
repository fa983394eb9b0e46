import { inspect } from "node:util";
import { HindsightError, UsageError } from "../errors.js";
import { escapeTerminalLines, stringifyForTerminal } from "../util/terminal.js";
import { lineWriter, writeLine, type CliIo } from "./io.js";

// Messages name paths and quote arguments and content: printed through the terminal helper.
// Their own line breaks (a config error lists its problems one a line) are kept. With
// `--format json`, stdout also gets the error as JSON (see `errorJson`), so that a tool reading
// the report never gets an empty stdout.
/** Says why a run failed, on stderr (and as JSON on stdout with `--format json`); gives the exit code. */
export function fail(error: unknown, io: CliIo, json = false): number {
  const say = lineWriter(io.stderr);
  if (json) writeLine(io.stdout, errorJson(error));
  if (error instanceof HindsightError) {
    say(`hindsight: ${escapeTerminalLines(error.message)}`);
    if (error instanceof UsageError) say("Run `hindsight --help` for usage.");
    else if (error.cause instanceof Error) say(`  cause: ${escapeTerminalLines(error.cause.message)}`);
    return error.exitCode;
  }
  if (isParseArgsError(error)) {
    say(`hindsight: ${escapeTerminalLines(error.message)}\nRun \`hindsight --help\` for usage.`);
    return 2;
  }
  // Anything else is a bug in Hindsight, not a problem with the content: say so plainly.
  say("hindsight: internal error, please report it with the output below.");
  say(escapeTerminalLines(inspect(error)));
  return 70;
}

/** True when the arguments ask for `--format json`, read without parsing them (they may be what failed). */
export function wantsJson(argv: readonly string[]): boolean {
  return argv.some((arg, i) => arg === "--format=json" || (arg === "--format" && argv[i + 1] === "json"));
}

function isParseArgsError(error: unknown): error is TypeError {
  return error instanceof TypeError && ((error as NodeJS.ErrnoException).code?.startsWith("ERR_PARSE_ARGS") ?? false);
}

/**
 * A usage, config or I/O error as JSON: `{ "error": { type, message, exitCode } }`, an object
 * where a report is an array of files, so that a reader tells them apart with `Array.isArray`.
 * `type` is `usage` (bad arguments or config, exit 2), `io` (reading or writing failed) or
 * `internal` (a bug). A config error's message lists its problems, one a line.
 */
function errorJson(error: unknown): string {
  const parseArgsError = isParseArgsError(error);
  const type = error instanceof UsageError || parseArgsError ? "usage" : error instanceof HindsightError ? "io" : "internal";
  const exitCode = error instanceof HindsightError ? error.exitCode : parseArgsError ? 2 : 70;
  const message = error instanceof Error && type !== "internal" ? error.message : "internal error, please report it with the output on stderr";
  return stringifyForTerminal({ error: { type, message, exitCode } }, 2);
}
