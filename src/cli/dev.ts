import { spawn } from "node:child_process";
import type { DevOptions } from "../dev/server.js";
import { UsageError } from "../errors.js";
import { lineWriter, useColor, writeLine, type CliIo } from "./io.js";

/** `dev`: serves the archive until `io.stopped` resolves. */
export async function runDev(options: DevOptions, port: string | undefined, open: boolean, io: CliIo): Promise<void> {
  const number = port === undefined ? undefined : portNumber(port);
  const { startDev } = await import("../dev/server.js");
  const log = lineWriter(io.stdout);
  const server = await startDev({ ...options, ...(number === undefined ? {} : { port: number }), log, color: useColor(io.stdout, io.env), cwd: io.cwd });
  log(`Serving the archive at ${server.url} (drafts included). Watching for changes; Ctrl-C stops.`);
  if (open) openBrowser(server.url, io);
  await (io.stopped?.() ?? new Promise<never>(() => undefined));
  await server.close();
}

/** The number `--port` gives; a UsageError for anything but 0 to 65535. */
function portNumber(written: string): number {
  const number = Number(written);
  if (!(Number.isInteger(number) && number >= 0 && number < 65536)) throw new UsageError(`Unexpected --port ${written}, expected a number from 0 to 65535`);
  return number;
}

function openBrowser(url: string, io: CliIo): void {
  const command = process.platform === "darwin" ? "open" : process.platform === "win32" ? "explorer" : "xdg-open";
  // Opening a browser is a convenience: if there is none, the URL printed above is enough.
  const child = spawn(command, [url], { stdio: "ignore", detached: true });
  child.on("error", () => {
    writeLine(io.stdout, `Could not open a browser; open ${url} yourself.`);
  });
  child.unref();
}
