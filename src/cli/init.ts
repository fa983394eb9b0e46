import path from "node:path";
import { InternalError } from "../errors.js";
import { formatMessages, type Format } from "../report/index.js";
import { plural } from "../util/format.js";
import { escapeTerminal, escapeTerminalLines } from "../util/terminal.js";
import { lineWriter, useColor, type CliIo } from "./io.js";

/** `init`: fit a config, say why, then check the archive with it; gives the exit code. */
export async function runInit(folder: string | undefined, print: boolean, force: boolean, format: Format, io: CliIo): Promise<number> {
  const { init } = await import("../init/index.js");
  const result = await init({ root: io.cwd, folder, print, force });
  const out = lineWriter(io.stdout);
  // With --format json, stdout holds check's JSON alone, so that it can be piped.
  const say = lineWriter(format === "json" ? io.stderr : io.stdout);
  for (const line of result.report) say(escapeTerminal(line));
  if (print) {
    out(`\n${escapeTerminalLines(result.json.trimEnd())}`);
    return 0;
  }
  if (result.file === undefined) throw new InternalError("init wrote no config file, and --print was not given");
  say(`Wrote ${escapeTerminal(path.relative(io.cwd, result.file))}. Checking the archive with it:`);
  const { check } = await import("../check.js");
  const checked = await check({ root: io.cwd });
  const report = formatMessages(checked.files, format, { cwd: io.cwd, color: useColor(io.stdout, io.env) });
  if (report) out(report);
  const errors = checked.files.filter((f) => f.messages.some((m) => m.fatal === true)).length;
  say(
    checked.ok
      ? `✔ ${plural(checked.files.length, "postmortem")} checked: no errors. Next: hindsight build`
      : `✖ ${plural(errors, "postmortem")} of ${checked.files.length} with errors: fix them, or edit hindsight.config.json, then run hindsight check.`,
  );
  return checked.ok ? 0 : 1;
}
