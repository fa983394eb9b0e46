import path from "node:path";
import { parseArgs } from "node:util";
// Each command's modules are imported when it runs: `--version`, `help`, `new` and `check` do
// not load the build's Markdown stack, theme engine and worker pool.
import { COMMAND_HELP, COMMAND_OPTIONS, HELP, OPTIONS } from "../cli-usage.js";
import { UsageError } from "../errors.js";
import { formatMessages, toFormat } from "../report/index.js";
import { debugWanted, withDebugChannel, type DebugChannel } from "../util/debug.js";
import { plural } from "../util/format.js";
import { escapeTerminal } from "../util/terminal.js";
import { VERSION } from "../util/version.js";
import { runBuild } from "./build.js";
import { runDev } from "./dev.js";
import { fail, wantsJson } from "./fail.js";
import { runInit } from "./init.js";
import { lineWriter, useColor, type CliIo } from "./io.js";

export type { CliIo, CliOutput } from "./io.js";

/**
 * Runs the command line `argv` (without `node` and the script) and gives its exit code. All it
 * takes from its process comes in `io`, and it sets nothing process-wide, so that it can run
 * several times in one process; the bin (`cli.ts`) hands it the process's own.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const debugChannel: DebugChannel = { enabled: debugWanted(io.env.DEBUG), write: (line) => io.stderr.write(line) };
  return withDebugChannel(debugChannel, async () => {
    try {
      return await runCommand(argv, io, debugChannel);
    } catch (error) {
      return fail(error, io, wantsJson(argv));
    }
  });
}

async function runCommand(argv: readonly string[], io: CliIo, debugChannel: DebugChannel): Promise<number> {
  const out = lineWriter(io.stdout);
  const { values, positionals } = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: OPTIONS });
  const [command, ...rest] = positionals;
  if (values.debug) debugChannel.enabled = true;
  if (values.version) {
    out(VERSION);
    return 0;
  }
  if (command === "help" || (values.help && command === undefined) || command === undefined) {
    const topic = command === "help" ? rest[0] : undefined;
    if (topic !== undefined && !COMMAND_HELP[topic]) throw new UsageError(`Unknown command: ${topic}`);
    out((topic === undefined ? undefined : COMMAND_HELP[topic]) ?? HELP);
    return 0;
  }
  if (values.help) {
    const help = COMMAND_HELP[command];
    if (!help) throw new UsageError(`Unknown command: ${command}`);
    out(help);
    return 0;
  }
  const allowed = COMMAND_OPTIONS[command];
  const stray = allowed && Object.keys(values).find((name) => !allowed.includes(name) && !["help", "version", "debug"].includes(name));
  if (stray) throw new UsageError(`Unexpected option --${stray} for ${command}`);
  const format = toFormat(values.format);
  const common = {
    root: io.cwd,
    content: values.content,
    out: values.out,
    theme: values.theme,
    configFile: values.config,
    strict: values.strict ?? false,
  };
  if (command === "check") {
    const { check } = await import("../check.js");
    const result = await check({ ...common, paths: rest });
    const report = formatMessages(result.files, format, { cwd: io.cwd, color: useColor(io.stdout, io.env) });
    if (report) out(report);
    if (format === "stylish" && !result.files.some((f) => f.messages.length)) out(`✔ ${plural(result.files.length, "postmortem")} checked: no problems`);
    return result.ok ? 0 : 1;
  }
  const [first, extra] = rest;
  if (command === "new") {
    if (first === undefined || extra !== undefined) throw new UsageError('Expected one title: hindsight new "Checkout timeouts after a pool change"');
    const { newPostmortem } = await import("../new.js");
    const file = await newPostmortem({ ...common, title: first, severity: values.severity, services: values.service, date: values.date });
    out(`Wrote ${escapeTerminal(path.relative(io.cwd, file))} (a draft: hindsight check it, set status: final when it is reviewed)`);
    return 0;
  }
  if (command === "init") {
    if (extra !== undefined) throw new UsageError(`Unexpected argument: ${extra}`);
    if (first !== undefined && values.content !== undefined) throw new UsageError("Give the content folder once: as FOLDER or as --content");
    return runInit(first ?? values.content, values.print ?? false, values.force ?? false, format, io);
  }
  if (command === "dev") {
    if (first !== undefined) throw new UsageError(`Unexpected argument: ${first}`);
    await runDev({ ...common, offline: values.offline ?? false }, values.port, values.open ?? false, io);
    return 0;
  }
  if (command !== "build") throw new UsageError(`Unknown command: ${command}`);
  if (first !== undefined) throw new UsageError(`Unexpected argument: ${first}`);
  return runBuild({ ...common, drafts: values.drafts ?? false, offline: values.offline ?? false }, format, values.verbose ?? false, io);
}
