#!/usr/bin/env node
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { build, type BuildResult } from "./build.js";
import { HindsightError, UsageError } from "./errors.js";
import { formatStylish } from "./report/stylish.js";

const HELP = `hindsight — build a searchable static archive of incident postmortems

Usage:
  hindsight build [options]     build the archive from content/ into dist/
  hindsight --help | --version

Build options:
  --content DIR   folder of postmortems (default: content)
  --out DIR       output folder (default: dist)
  --theme NAME|DIR  theme folder or name under themes/ (default: default)
  --drafts        include postmortems with status: draft
  --verbose       show the time of every stage

Examples:
  hindsight build
  hindsight build --content ../postmortems --out public_html --drafts

Exit codes: 0 built (warnings allowed), 1 content errors, 2 usage errors.`;

/** Runs the CLI with the given arguments; sets process.exitCode instead of exiting. */
export async function main(argv: readonly string[]): Promise<void> {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        content: { type: "string" },
        out: { type: "string" },
        theme: { type: "string" },
        drafts: { type: "boolean" },
        verbose: { type: "boolean" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "v" },
      },
    });
    const [command, ...rest] = positionals;
    if (values.version) return void console.log(version());
    if (values.help || command === "help" || command === undefined) return void console.log(HELP);
    if (command !== "build") throw new UsageError(`Unknown command: ${command}`);
    if (rest.length > 0) throw new UsageError(`Unexpected argument: ${rest[0]}`);
    const result = await build({
      ...(values.content !== undefined && { content: values.content }),
      ...(values.out !== undefined && { out: values.out }),
      ...(values.theme !== undefined && { theme: values.theme }),
      drafts: values.drafts ?? false,
    });
    printResult(result, values.verbose ?? false);
    process.exitCode = result.ok ? 0 : 1;
  } catch (error) {
    process.exitCode = fail(error);
  }
}

function printResult(result: BuildResult, verbose: boolean): void {
  const report = formatStylish(result.files, { color: useColor(process.stderr) });
  if (report) console.error(report);
  if (!result.ok) {
    console.error(`Build failed: fix the errors above. Nothing was written to ${path.relative(process.cwd(), result.config.outDir) || "."}.`);
    return;
  }
  // Like Eleventy: only the stages that cost something are worth a line.
  for (const { stage, ms } of result.timings) {
    if (verbose || (ms >= 50 && ms > result.totalMs * 0.08)) console.log(`  ${stage.padEnd(9)} ${ms.toFixed(0).padStart(6)} ms`);
  }
  const seconds = (result.totalMs / 1000).toFixed(2);
  const each = result.written ? (result.totalMs / result.written).toFixed(1) : "0";
  const out = path.relative(process.cwd(), result.config.outDir) || ".";
  console.log(`Built ${plural(result.postmortems, "postmortem")}: wrote ${plural(result.written, "file")} to ${out} in ${seconds} s (${each} ms each)`);
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


function plural(n: number, noun: string): string {
  return `${n.toLocaleString("en")} ${noun}${n === 1 ? "" : "s"}`;
}

await main(process.argv.slice(2));
