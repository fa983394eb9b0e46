#!/usr/bin/env node
// The bin: the process's streams, environment and working folder handed to runCli, which does
// the work (src/cli/run.ts, importable without running anything).
import { runCli } from "./cli/run.js";

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  // Only `dev` waits for these: a build stopped with Ctrl-C ends as Node ends a process.
  stopped: () =>
    new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    }),
});
