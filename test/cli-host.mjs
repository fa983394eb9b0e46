// A worker thread that runs the compiled CLI's runCli (.build/cli/run.js) for test/helpers.ts:
// the module graph is loaded once per test file instead of once per run, as a child process
// would. A run's environment is this thread's process.env (its own copy) while it runs.
import { parentPort, workerData } from "node:worker_threads";

// Imported at the first run, so that a failure to load it is that run's answer.
let cli;
const state = new Int32Array(workerData.state);

/** Runs one command line with the given working folder and environment; its exit code and output. */
async function run({ argv, cwd, env }) {
  for (const name of Object.keys(process.env)) if (!(name in env)) Reflect.deleteProperty(process.env, name);
  Object.assign(process.env, env);
  const stdout = [];
  const stderr = [];
  const io = {
    stdout: { write: (text) => stdout.push(text) },
    stderr: { write: (text) => stderr.push(text) },
    env,
    cwd,
  };
  cli ??= import(workerData.run);
  const code = await (await cli).runCli(argv, io);
  return { code, stdout: stdout.join(""), stderr: stderr.join("") };
}

parentPort.on("message", ({ id, sync, port, ...request }) => {
  void run(request)
    .catch((error) => ({ code: null, stdout: "", stderr: `cli-host: ${error?.stack ?? String(error)}` }))
    .then((result) => {
      if (!sync) return parentPort.postMessage({ id, result });
      port.postMessage(result);
      Atomics.store(state, 0, 1);
      Atomics.notify(state, 0);
    });
});
