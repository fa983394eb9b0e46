import http from "node:http";
import path from "node:path";
import type { BuildOptions } from "../build.js";
import { UsageError } from "../errors.js";
import { escapeTerminal } from "../util/terminal.js";
import { devHandler, readClientModules, StateStream } from "./http.js";
import { rebuildQueue } from "./queue.js";
import { DevArchive } from "./state.js";
import { ProjectWatcher } from "./watcher.js";

/** Options of `hindsight dev`. */
export interface DevOptions extends Omit<BuildOptions, "drafts" | "onProgress"> {
  /** Port on 127.0.0.1; 0 picks a free one. @default 4000 */
  readonly port?: number;
  /** Where progress goes (the terminal). @default console.log */
  readonly log?: (line: string) => void;
  /** ANSI colours in the messages. @default false */
  readonly color?: boolean;
  /** Paths in the messages are shown relative to this folder. @default process.cwd() */
  readonly cwd?: string;
}

/** A running dev server. */
export interface DevServer {
  readonly url: string;
  /** Settles when the rebuild in progress, if any, is done: for tests. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * `hindsight dev`: builds the archive in memory (drafts included), serves it on 127.0.0.1,
 * watches content, theme, public and config, rebuilds what changed and tells the open pages
 * over server-sent events: they reload, or show the build's errors in an overlay.
 *
 * The parts: the archive and its builds (state.ts), the HTTP handler (http.ts), the watcher
 * (watcher.ts) and the queue that turns its changes into one rebuild at a time (queue.ts).
 */
export async function startDev(options: DevOptions = {}): Promise<DevServer> {
  const { port = 4000, log = console.log, color = false, cwd = process.cwd(), ...buildOptions } = options;
  const root = path.resolve(buildOptions.root ?? process.cwd());
  const stream = new StateStream();
  const archive = new DevArchive({
    build: { ...buildOptions, root },
    log,
    color,
    cwd,
    onState: (state) => {
      stream.broadcast(state);
    },
  });
  const server = http.createServer(devHandler(archive, stream, readClientModules()));

  // A first build before serving, so the first page asked for is there.
  await archive.rebuild("start");
  const url = await listen(server, port);

  const watchErrors = new Set<string>();
  const watcher = new ProjectWatcher(root, buildOptions.configFile, {
    onChange: (file, kind) => {
      archive.noteChange(kind);
      queue.request(file, kind, path.relative(root, file) || file);
    },
    // Such as the system's limit on watched files, which every further file meets: said once
    // per kind of error, and the server goes on, blind to some changes.
    onError: (error: NodeJS.ErrnoException) => {
      if (watchErrors.has(error.code ?? error.message)) return;
      watchErrors.add(error.code ?? error.message);
      log(`✖ Cannot watch for changes: ${escapeTerminal(error.message)}`);
    },
  });
  const queue = rebuildQueue(async (reason, changes) => {
    await archive.showEdit(changes);
    await archive.rebuild(reason);
    // The folders to watch come from the config, which a change can move.
    await watcher.follow(archive.dirs);
  });
  await watcher.follow(archive.dirs);
  return {
    url,
    idle: () => queue.idle(),
    close: async () => {
      await watcher.close();
      stream.end();
      await queue.idle();
      // The callback is told of an error when the server was not open: closed either way.
      await new Promise<Error | undefined>((resolve) => server.close(resolve));
    },
  };
}

/** Listens on 127.0.0.1 and gives the server's URL; a port in use is a usage error. */
async function listen(server: http.Server, port: number): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      reject(error.code === "EADDRINUSE" ? new UsageError(`Port ${port} is in use: choose another with --port`) : error);
    });
    server.listen(port, "127.0.0.1", resolve);
  });
  const address = server.address();
  return `http://127.0.0.1:${typeof address === "object" && address ? address.port : port}/`;
}
