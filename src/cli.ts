#!/usr/bin/env node
import path from "node:path";
import { inspect, parseArgs } from "node:util";
import { spawn } from "node:child_process";
// Each command's modules are imported when it runs: `--version`, `help`, `new` and `check` do
// not load the build's Markdown stack, theme engine and worker pool.
import type { BuildResult } from "./build.js";
import type { DevOptions } from "./dev/server.js";
import { HindsightError, InternalError, UsageError } from "./errors.js";
import { enableDebug } from "./util/debug.js";
import { formatMessages, toFormat, type Format } from "./report/index.js";
import { plural } from "./util/format.js";
import { escapeTerminal, escapeTerminalLines, stringifyForTerminal } from "./util/terminal.js";
import { VERSION } from "./util/version.js";
import { COMMAND_HELP, COMMAND_OPTIONS, HELP, OPTIONS } from "./cli-usage.js";

/** An output stream as Node makes it: `isTTY` is typed boolean, but a stream that is not a terminal leaves it undefined. */
type OutputStream = Omit<NodeJS.WriteStream, "isTTY"> & { readonly isTTY?: boolean };

/** Runs the CLI with the given arguments; sets process.exitCode instead of exiting. */
export async function main(argv: readonly string[]): Promise<void> {
  try {
    const { values, positionals } = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: OPTIONS });
    const [command, ...rest] = positionals;
    if (values.debug) enableDebug();
    if (values.version) {
      console.log(VERSION);
      return;
    }
    if (command === "help" || (values.help && command === undefined) || command === undefined) {
      const topic = command === "help" ? rest[0] : undefined;
      if (topic !== undefined && !COMMAND_HELP[topic]) throw new UsageError(`Unknown command: ${topic}`);
      console.log(topic ? COMMAND_HELP[topic] : HELP);
      return;
    }
    if (values.help) {
      const help = COMMAND_HELP[command];
      if (!help) throw new UsageError(`Unknown command: ${command}`);
      console.log(help);
      return;
    }
    const allowed = COMMAND_OPTIONS[command];
    const stray = allowed && Object.keys(values).find((name) => !allowed.includes(name) && !["help", "version", "debug"].includes(name));
    if (stray) throw new UsageError(`Unexpected option --${stray} for ${command}`);
    const format = toFormat(values.format);
    const common = {
      content: values.content,
      out: values.out,
      theme: values.theme,
      configFile: values.config,
      strict: values.strict ?? false,
    };
    if (command === "check") {
      const { check } = await import("./check.js");
      const result = await check({ ...common, paths: rest });
      const report = formatMessages(result.files, format, { color: useColor(process.stdout) });
      if (report) console.log(report);
      if (format === "stylish" && !result.files.some((f) => f.messages.length))
        console.log(`✔ ${plural(result.files.length, "postmortem")} checked: no problems`);
      process.exitCode = result.ok ? 0 : 1;
      return;
    }
    const [first, extra] = rest;
    if (command === "new") {
      if (first === undefined || extra !== undefined) throw new UsageError('Expected one title: hindsight new "Checkout timeouts after a pool change"');
      const { newPostmortem } = await import("./new.js");
      const file = await newPostmortem({ ...common, title: first, severity: values.severity, services: values.service, date: values.date });
      console.log(`Wrote ${escapeTerminal(path.relative(process.cwd(), file))} (a draft: hindsight check it, set status: final when it is reviewed)`);
      return;
    }
    if (command === "init") {
      if (extra !== undefined) throw new UsageError(`Unexpected argument: ${extra}`);
      if (first !== undefined && values.content !== undefined) throw new UsageError("Give the content folder once: as FOLDER or as --content");
      process.exitCode = await runInit(first ?? values.content, values.print ?? false, values.force ?? false, format);
      return;
    }
    if (command === "dev") {
      if (first !== undefined) throw new UsageError(`Unexpected argument: ${first}`);
      await runDev({ ...common, offline: values.offline ?? false }, values.port, values.open ?? false);
      return;
    }
    if (command !== "build") throw new UsageError(`Unknown command: ${command}`);
    if (first !== undefined) throw new UsageError(`Unexpected argument: ${first}`);
    const progress = progressBar(process.stderr);
    const { build } = await import("./build.js");
    const result = await build({ ...common, drafts: values.drafts ?? false, offline: values.offline ?? false, onProgress: progress.update }).finally(
      progress.done,
    );
    printBuild(result, format, values.verbose ?? false);
    process.exitCode = result.ok ? 0 : 1;
  } catch (error) {
    process.exitCode = fail(error, wantsJson(argv));
  }
}

function printBuild(result: BuildResult, format: Format, verbose: boolean): void {
  // JSON goes to stdout alone, so that it can be piped; everything else is for people.
  const toStdout = format === "json";
  const report = formatMessages(result.files, format, { color: useColor(toStdout ? process.stdout : process.stderr) });
  if (report) (toStdout ? console.log : console.error)(report);
  const say = toStdout ? console.error : console.log;
  const out = escapeTerminal(path.relative(process.cwd(), result.config.outDir) || ".");
  for (const note of result.notes) console.error(`note: ${escapeTerminal(note)}`);
  if (!result.ok) {
    console.error(`Build failed: fix the errors above. Nothing was written to ${out}.`);
    return;
  }
  // Like Eleventy: only the stages that cost something are worth a line.
  for (const { stage, ms } of result.timings) {
    if (verbose || (ms >= 50 && ms > result.totalMs * 0.08)) say(`  ${stage.padEnd(9)} ${ms.toFixed(0).padStart(6)} ms`);
  }
  const { embedded, downloaded, cached, local, failed } = result.images;
  if (embedded + downloaded + cached + local + failed > 0) {
    say(`Images: ${embedded} embedded, ${downloaded} downloaded, ${cached} from cache, ${local} local, ${failed} failed`);
  }
  const seconds = (result.totalMs / 1000).toFixed(result.totalMs < 10_000 ? 2 : 1);
  const unchanged = result.unchanged > 0 ? ` (${result.unchanged.toLocaleString("en")} unchanged)` : "";
  say(
    `Built ${plural(result.postmortems, "postmortem")}${unchanged}, ${plural(result.indexPages, "index page")}, ${plural(result.imageFiles, "image")} in ${seconds} s → ${out}/`,
  );
}

/** `init`: fit a config, say why, then check the archive with it; returns the exit code. */
async function runInit(folder: string | undefined, print: boolean, force: boolean, format: Format): Promise<number> {
  const { init } = await import("./init/index.js");
  const result = await init({ folder, print, force });
  // With --format json, stdout holds check's JSON alone, so that it can be piped.
  const say = format === "json" ? console.error : console.log;
  for (const line of result.report) say(escapeTerminal(line));
  if (print) {
    console.log(`\n${escapeTerminalLines(result.json.trimEnd())}`);
    return 0;
  }
  if (result.file === undefined) throw new InternalError("init wrote no config file, and --print was not given");
  say(`Wrote ${escapeTerminal(path.relative(process.cwd(), result.file))}. Checking the archive with it:`);
  const { check } = await import("./check.js");
  const checked = await check({});
  const report = formatMessages(checked.files, format, { color: useColor(process.stdout) });
  if (report) console.log(report);
  const errors = checked.files.filter((f) => f.messages.some((m) => m.fatal === true)).length;
  say(
    checked.ok
      ? `✔ ${plural(checked.files.length, "postmortem")} checked: no errors. Next: hindsight build`
      : `✖ ${plural(errors, "postmortem")} of ${checked.files.length} with errors: fix them, or edit hindsight.config.json, then run hindsight check.`,
  );
  return checked.ok ? 0 : 1;
}

async function runDev(options: DevOptions, port: string | undefined, open: boolean): Promise<void> {
  const number = port === undefined ? undefined : portNumber(port);
  const { startDev } = await import("./dev/server.js");
  const server = await startDev({ ...options, ...(number === undefined ? {} : { port: number }), color: useColor(process.stdout) });
  console.log(`Serving the archive at ${server.url} (drafts included). Watching for changes; Ctrl-C stops.`);
  if (open) openBrowser(server.url);
  await new Promise<void>((resolve) => {
    const stop = () => void server.close().then(resolve);
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}

/** The number `--port` gives; a UsageError for anything but 0 to 65535. */
function portNumber(written: string): number {
  const number = Number(written);
  if (!(Number.isInteger(number) && number >= 0 && number < 65536)) throw new UsageError(`Unexpected --port ${written}, expected a number from 0 to 65535`);
  return number;
}

function openBrowser(url: string): void {
  const command = process.platform === "darwin" ? "open" : process.platform === "win32" ? "explorer" : "xdg-open";
  // Opening a browser is a convenience: if there is none, the URL printed above is enough.
  const child = spawn(command, [url], { stdio: "ignore", detached: true });
  child.on("error", () => {
    console.log(`Could not open a browser; open ${url} yourself.`);
  });
  child.unref();
}

/**
 * A progress bar on a terminal, redrawn at most every 100 ms, cleared when done; nothing when
 * the output is a file or CI log (the summary line says it all there).
 */
function progressBar(stream: OutputStream) {
  const enabled = stream.isTTY === true && process.env.TERM !== "dumb" && !process.env.CI;
  let last = 0;
  let shown = false;
  return {
    // Arrow functions: the build is handed them alone, not the object.
    update: (stage: string, done: number, total: number): void => {
      const now = Date.now();
      if (!enabled || total < 200 || (now - last < 100 && done < total)) return;
      last = now;
      const width = Math.max(10, Math.min(40, stream.columns - 40));
      const filled = Math.round((done / total) * width);
      stream.write(
        `\r  ${stage.padEnd(9)} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done.toLocaleString("en")}/${total.toLocaleString("en")} postmortems`,
      );
      shown = true;
    },
    done: (): void => {
      if (shown) stream.write("\r\u001b[2K");
      shown = false;
    },
  };
}

// Messages name paths and quote arguments and content: printed through the terminal helper.
// Their own line breaks (a config error lists its problems one a line) are kept. With
// `--format json`, stdout also gets the error as JSON (see `errorJson`), so that a tool reading
// the report never gets an empty stdout.
function fail(error: unknown, json = false): number {
  if (json) console.log(errorJson(error));
  if (error instanceof HindsightError) {
    console.error(`hindsight: ${escapeTerminalLines(error.message)}`);
    if (error instanceof UsageError) console.error("Run `hindsight --help` for usage.");
    else if (error.cause instanceof Error) console.error(`  cause: ${escapeTerminalLines(error.cause.message)}`);
    return error.exitCode;
  }
  if (error instanceof TypeError && (error as NodeJS.ErrnoException).code?.startsWith("ERR_PARSE_ARGS")) {
    console.error(`hindsight: ${escapeTerminalLines(error.message)}\nRun \`hindsight --help\` for usage.`);
    return 2;
  }
  // Anything else is a bug in Hindsight, not a problem with the content: say so plainly.
  console.error("hindsight: internal error, please report it with the output below.");
  console.error(escapeTerminalLines(inspect(error)));
  return 70;
}

/** True when the arguments ask for `--format json`, read without parsing them (they may be what failed). */
function wantsJson(argv: readonly string[]): boolean {
  return argv.some((arg, i) => arg === "--format=json" || (arg === "--format" && argv[i + 1] === "json"));
}

/**
 * A usage, config or I/O error as JSON: `{ "error": { type, message, exitCode } }`, an object
 * where a report is an array of files, so that a reader tells them apart with `Array.isArray`.
 * `type` is `usage` (bad arguments or config, exit 2), `io` (reading or writing failed) or
 * `internal` (a bug). A config error's message lists its problems, one a line.
 */
function errorJson(error: unknown): string {
  const parseArgsError = error instanceof TypeError && (error as NodeJS.ErrnoException).code?.startsWith("ERR_PARSE_ARGS");
  const type = error instanceof UsageError || parseArgsError ? "usage" : error instanceof HindsightError ? "io" : "internal";
  const exitCode = error instanceof HindsightError ? error.exitCode : parseArgsError ? 2 : 70;
  const message = error instanceof Error && type !== "internal" ? error.message : "internal error, please report it with the output on stderr";
  return stringifyForTerminal({ error: { type, message, exitCode } }, 2);
}

function useColor(stream: OutputStream): boolean {
  return stream.isTTY === true && !process.env.NO_COLOR && process.env.TERM !== "dumb";
}

await main(process.argv.slice(2));
