import { inspect } from "node:util";
import { escapeTerminalLines } from "./terminal.js";

/**
 * The debug channel: where Hindsight says what it deliberately ignored (a damaged cache entry
 * read as a miss, a folder that vanished while it was read, a git command that failed). Off by
 * default; on with `--debug`, or `DEBUG=hindsight` (also `hindsight:*` or `*`, as the `debug`
 * package reads it), in worker threads too, since they inherit the environment.
 */
function debugEnabled(): boolean {
  return (enabled ??= /(^|,)\s*(\*|hindsight(:\*)?)\s*(,|$)/.test(process.env.DEBUG ?? ""));
}

let enabled: boolean | undefined;

/** Turns the channel on for this process and the worker threads it starts afterwards (`--debug`). */
export function enableDebug(): void {
  process.env.DEBUG = process.env.DEBUG ? `${process.env.DEBUG},hindsight` : "hindsight";
  enabled = true;
}

/** Says on stderr, when the channel is on, that `what` happened in `scope` and was ignored, with the error. */
export function debug(scope: string, what: string, error?: unknown): void {
  if (!debugEnabled()) return;
  const detail = error === undefined ? "" : `: ${error instanceof Error ? `${error.name}: ${error.message}` : inspect(error)}`;
  process.stderr.write(`hindsight:${scope} ${escapeTerminalLines(what + detail)}\n`);
}
