import path from "node:path";
import type { BuildOptions, BuildResult } from "../build.js";
import { formatMessages, type Format } from "../report/index.js";
import { plural } from "../util/format.js";
import { heldClose } from "../util/heap.js";
import { escapeTerminal } from "../util/terminal.js";
import { lineWriter, useColor, writeLine, type CliIo, type CliOutput } from "./io.js";

/** `build`: builds with a progress bar on a terminal, then reports; gives the exit code. */
export async function runBuild(options: Omit<BuildOptions, "onProgress">, format: Format, verbose: boolean, io: CliIo): Promise<number> {
  const progress = progressBar(io.stderr, io.env);
  const { build } = await import("../build.js");
  const result = await build({ ...options, onProgress: progress.update }).finally(progress.done);
  // The report of a big archive (70,000 warnings at 100,000 postmortems) is made as the build's pages are: with the heap held close.
  await heldClose(() => {
    printBuild(result, format, verbose, io);
  });
  return result.ok ? 0 : 1;
}

function printBuild(result: BuildResult, format: Format, verbose: boolean, io: CliIo): void {
  // JSON goes to stdout alone, so that it can be piped; everything else is for people.
  const toStdout = format === "json";
  const report = formatMessages(result.files, format, { cwd: io.cwd, color: useColor(toStdout ? io.stdout : io.stderr, io.env) });
  if (report) writeLine(toStdout ? io.stdout : io.stderr, report);
  const say = lineWriter(toStdout ? io.stderr : io.stdout);
  const error = lineWriter(io.stderr);
  const out = escapeTerminal(path.relative(io.cwd, result.config.outDir) || ".");
  for (const note of result.notes) error(`note: ${escapeTerminal(note)}`);
  if (!result.ok) {
    error(`Build failed: fix the errors above. Nothing was written to ${out}.`);
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

/**
 * A progress bar on a terminal, redrawn at most every 100 ms, cleared when done; nothing when
 * the output is a file or CI log (the summary line says it all there).
 */
function progressBar(stream: CliOutput, env: CliIo["env"]) {
  const enabled = stream.isTTY === true && env.TERM !== "dumb" && !env.CI;
  let last = 0;
  let shown = false;
  return {
    // Arrow functions: the build is handed them alone, not the object.
    update: (stage: string, done: number, total: number): void => {
      const now = Date.now();
      if (!enabled || total < 200 || (now - last < 100 && done < total)) return;
      last = now;
      const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - 40));
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
