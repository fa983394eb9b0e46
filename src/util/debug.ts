import { AsyncLocalStorage } from "node:async_hooks";
import { inspect } from "node:util";
import { escapeTerminalLines } from "./terminal.js";

/** Where the debug channel's lines go, and whether it is on. */
export interface DebugChannel {
  enabled: boolean;
  readonly write: (line: string) => unknown;
}

/**
 * The debug channel: where Hindsight says what it deliberately ignored (a damaged cache entry
 * read as a miss, a folder that vanished while it was read, a git command that failed). Off by
 * default; on with `--debug`, or `DEBUG=hindsight` (also `hindsight:*` or `*`, as the `debug`
 * package reads it), in worker threads too (see `workerEnv`).
 */
export function debugWanted(value: string | undefined): boolean {
  return /(^|,)\s*(\*|hindsight(:\*)?)\s*(,|$)/.test(value ?? "");
}

// A CLI run has its own channel (its --debug, its DEBUG, its stderr), so that runs in one
// process, as the tests make them, do not turn it on for each other.
const runs = new AsyncLocalStorage<DebugChannel>();
let processChannel: DebugChannel | undefined;

function channel(): DebugChannel {
  return runs.getStore() ?? (processChannel ??= { enabled: debugWanted(process.env.DEBUG), write: (line) => process.stderr.write(line) });
}

/** Runs `work` with `debugChannel` as the channel of everything it does (one CLI run). */
export function withDebugChannel<T>(debugChannel: DebugChannel, work: () => T): T {
  return runs.run(debugChannel, work);
}

/** The environment of worker threads: this process's, with DEBUG naming Hindsight when the channel is on here. */
export function workerEnv(): NodeJS.ProcessEnv {
  if (!channel().enabled || debugWanted(process.env.DEBUG)) return { ...process.env };
  return { ...process.env, DEBUG: process.env.DEBUG ? `${process.env.DEBUG},hindsight` : "hindsight" };
}

/** Says on stderr, when the channel is on, that `what` happened in `scope` and was ignored, with the error. */
export function debug(scope: string, what: string, error?: unknown): void {
  const current = channel();
  if (!current.enabled) return;
  const detail = error === undefined ? "" : `: ${error instanceof Error ? `${error.name}: ${error.message}` : inspect(error)}`;
  current.write(`hindsight:${scope} ${escapeTerminalLines(what + detail)}\n`);
}
