#!/usr/bin/env node
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { build, type BuildResult } from "./build.js";
import { check } from "./check.js";
import { newPostmortem } from "./new.js";
import { HindsightError, UsageError } from "./errors.js";
import { formatMessages, toFormat, type Format } from "./report/index.js";
import { plural } from "./util/format.js";

const HELP = `hindsight — build a searchable static archive of incident postmortems

Usage:
  hindsight build [options]          build the archive from content/ into dist/
  hindsight check [PATH…] [options]  validate postmortems; write nothing
  hindsight new "Title" [--severity S] [--service X…] [--date D]
                                     start a postmortem: content/<yyyy>/<slug>.md, a draft
  hindsight --help | --version

Options:
  --content DIR      folder of postmortems (default: content)
  --out DIR          output folder (default: dist)
  --theme NAME|DIR   theme: a folder under themes/ or a path (default: default)
  --config FILE      config file (default: hindsight.config.{json,js,mjs,ts} if present)
  --drafts           build: include postmortems with status: draft
  --offline          build: download no image; use the cache or keep the URL
  --strict           treat warnings as errors
  --format F         messages as stylish (default), json or github
  --verbose          build: show the time of every stage
  --severity S       new: the severity (default: the middle of the scale)
  --service X        new: an affected service; repeat for more
  --date D           new: incident start, ISO date or date-time (default: now)

Examples:
  hindsight build
  hindsight build --content ../postmortems --out public_html --drafts
  hindsight check content/2025/checkout-timeouts.md
  hindsight check --format github --strict
  hindsight new "Checkout timeouts after a pool change" --severity SEV2 --service checkout

Exit codes: 0 ok (warnings allowed), 1 content errors, 2 usage or config errors.`;

const OPTIONS = {
  content: { type: "string" },
  out: { type: "string" },
  theme: { type: "string" },
  config: { type: "string" },
  drafts: { type: "boolean" },
  offline: { type: "boolean" },
  strict: { type: "boolean" },
  format: { type: "string" },
  verbose: { type: "boolean" },
  severity: { type: "string" },
  service: { type: "string", multiple: true },
  date: { type: "string" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" },
} as const;

/** Runs the CLI with the given arguments; sets process.exitCode instead of exiting. */
export async function main(argv: readonly string[]): Promise<void> {
  try {
    const { values, positionals } = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: OPTIONS });
    const [command, ...rest] = positionals;
    if (values.version) return void console.log(version());
    if (values.help || command === "help" || command === undefined) return void console.log(HELP);
    const format = toFormat(values.format);
    const common = {
      content: values.content,
      out: values.out,
      theme: values.theme,
      configFile: values.config,
      strict: values.strict ?? false,
    };
    if (command === "check") {
      const result = await check({ ...common, paths: rest });
      const report = formatMessages(result.files, format, { color: useColor(process.stdout) });
      if (report) console.log(report);
      if (format === "stylish" && !result.files.some((f) => f.messages.length)) console.log(`✔ ${plural(result.files.length, "postmortem")} checked: no problems`);
      process.exitCode = result.ok ? 0 : 1;
      return;
    }
    if (command === "new") {
      if (rest.length !== 1) throw new UsageError('Expected one title: hindsight new "Checkout timeouts after a pool change"');
      const file = await newPostmortem({ ...common, title: rest[0]!, severity: values.severity, services: values.service, date: values.date });
      console.log(`Wrote ${path.relative(process.cwd(), file)} (a draft: hindsight check it, set status: final when it is reviewed)`);
      return;
    }
    if (command !== "build") throw new UsageError(`Unknown command: ${command}`);
    if (rest.length > 0) throw new UsageError(`Unexpected argument: ${rest[0]}`);
    const result = await build({ ...common, drafts: values.drafts ?? false, offline: values.offline ?? false });
    printBuild(result, format, values.verbose ?? false);
    process.exitCode = result.ok ? 0 : 1;
  } catch (error) {
    process.exitCode = fail(error);
  }
}

function printBuild(result: BuildResult, format: Format, verbose: boolean): void {
  // JSON goes to stdout alone, so that it can be piped; everything else is for people.
  const toStdout = format === "json";
  const report = formatMessages(result.files, format, { color: useColor(toStdout ? process.stdout : process.stderr) });
  if (report) (toStdout ? console.log : console.error)(report);
  const say = toStdout ? console.error : console.log;
  const out = path.relative(process.cwd(), result.config.outDir) || ".";
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
  const seconds = (result.totalMs / 1000).toFixed(2);
  const each = result.written ? (result.totalMs / result.written).toFixed(1) : "0";
  say(`Built ${plural(result.postmortems, "postmortem")}: wrote ${plural(result.written, "file")} to ${out} in ${seconds} s (${each} ms each)`);
}

function fail(error: unknown): number {
  if (error instanceof HindsightError) {
    console.error(`hindsight: ${error.message}`);
    if (error instanceof UsageError) console.error("Run `hindsight --help` for usage.");
    else if (error.cause instanceof Error) console.error(`  cause: ${error.cause.message}`);
    return error.exitCode;
  }
  if (error instanceof TypeError && (error as NodeJS.ErrnoException).code?.startsWith("ERR_PARSE_ARGS")) {
    console.error(`hindsight: ${error.message}\nRun \`hindsight --help\` for usage.`);
    return 2;
  }
  // Anything else is a bug in Hindsight, not a problem with the content: say so plainly.
  console.error("hindsight: internal error, please report it with the output below.");
  console.error(error);
  return 70;
}

function useColor(stream: NodeJS.WriteStream): boolean {
  return stream.isTTY === true && !process.env.NO_COLOR && process.env.TERM !== "dumb";
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

await main(process.argv.slice(2));
