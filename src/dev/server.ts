import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { BuildSession, generate, type BuildOptions, type BuildResult, type Generated } from "../build.js";
import { CONFIG_FILES } from "../config-load.js";
import { resolveConfig, type ResolvedConfig } from "../config.js";
import { HindsightError, UsageError } from "../errors.js";
import { formatStylish } from "../report/index.js";
import type { Output } from "../types.js";
import { plural } from "../util/format.js";
import { hashText } from "../util/hash.js";
import { escapeTerminal, escapeTerminalLines } from "../util/terminal.js";
import { contentType } from "./mime.js";
import { BUILD_PARAM, CLIENT_MODULES, CLIENT_PATH, DEV_PREFIX, EVENTS_PATH, EVERYTHING_CHANGED, SEARCH_DIR, SEARCH_INDEX_CHANGED, STATE_EVENT, type DevState, type OverlayMessage } from "./protocol.js";
import { quickPage } from "./quick.js";

/** Options of `hindsight dev`. */
export interface DevOptions extends Omit<BuildOptions, "drafts" | "onProgress"> {
  /** Port on 127.0.0.1; 0 picks a free one. @default 4000 */
  readonly port?: number;
  /** Where progress goes (the terminal). @default console.log */
  readonly log?: (line: string) => void;
  /** ANSI colours in the messages. @default false */
  readonly color?: boolean;
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
 */
export async function startDev(options: DevOptions = {}): Promise<DevServer> {
  const { port = 4000, log = console.log, color = false, ...buildOptions } = options;
  const root = path.resolve(buildOptions.root ?? process.cwd());
  // The compiled client and what it imports, whether this module runs compiled (.build/dev) or from src/ in tests.
  const clientDir = path.resolve(import.meta.dirname, "..", "..", ".build", "dev");
  const clientModules = new Map(CLIENT_MODULES.map((name) => [`${DEV_PREFIX}${name}`, fs.readFileSync(path.join(clientDir, name))]));
  let files = new Map<string, { contents: string | Uint8Array; hash: string }>();
  // The last build's lazy pages by key: a page whose key did not change is not made again.
  let byKey = new Map<string, { contents: string | Uint8Array; hash: string }>();
  let made: Generated["made"];
  let state: DevState = { build: 0, changed: [], errors: [], fatal: undefined };
  let session = new BuildSession();
  let config: ResolvedConfig | undefined;
  const clients = new Set<http.ServerResponse>();

  const broadcast = () => {
    for (const client of clients) client.write(stateEvent(state));
  };

  /** Shows an edit to one postmortem's body at once, before the rebuild that follows. */
  const quick = async (changes: ReadonlyMap<string, ChangeKind>) => {
    const [change, ...others] = changes;
    if (!change || others.length > 0 || change[1] !== "postmortem" || !made || !config || state.errors.length > 0 || state.fatal) return;
    const started = performance.now();
    const page = await quickPage(change[0], config, made, session).catch(() => undefined);
    if (!page) return;
    const hash = hashText(page.contents);
    if (files.get(page.path)?.hash === hash) return;
    files.set(page.path, { contents: page.contents, hash });
    state = { build: state.build + 1, changed: [page.path], errors: [], fatal: undefined };
    log(`✔ Updated ${escapeTerminal(page.path)} in ${(performance.now() - started).toFixed(0)} ms; rebuilding the rest`);
    broadcast();
  };

  const rebuild = async (reason: string) => {
    const started = performance.now();
    let result: BuildResult;
    let outputs: readonly Output[] | undefined;
    let next: Map<string, { contents: string | Uint8Array; hash: string }> | undefined;
    try {
      const generated = await generate({ ...buildOptions, root, drafts: true }, session);
      ({ result, outputs } = generated);
      // Lazy pages are made here: a layout that fails fails this rebuild, not the server.
      const keyed = new Map<string, { contents: string | Uint8Array; hash: string }>();
      const served = (contents: string | Uint8Array) => ({ contents, hash: hashText(contents) });
      next = outputs && new Map(outputs.map((file) => {
        if (!("key" in file)) return [file.path, served(file.contents)];
        const entry = byKey.get(file.key) ?? served(file.render());
        keyed.set(file.key, entry);
        return [file.path, entry];
      }));
      if (next) {
        byKey = keyed;
        made = generated.made;
      }
    } catch (error) {
      // A problem with the project (config, theme) or a bug: shown, and the last good archive kept.
      const message = error instanceof HindsightError ? error.message : `internal error: ${error instanceof Error ? error.stack ?? error.message : String(error)}`;
      log(`✖ ${escapeTerminalLines(message)}`);
      state = { ...state, changed: [], errors: [], fatal: message.split("\n")[0] };
      return broadcast();
    }
    config = result.config;
    const report = formatStylish(result.files, { cwd: process.cwd(), color });
    if (report) log(report);
    if (!outputs || !next) {
      log(`✖ Build failed (${escapeTerminal(reason)}): the page shows the errors; fix them and save.`);
      state = { ...state, changed: [], errors: overlayMessages(result), fatal: undefined };
      return broadcast();
    }
    const changed = [...next].filter(([file, { hash }]) => files.get(file)?.hash !== hash).map(([file]) => file);
    for (const file of files.keys()) if (!next.has(file)) changed.push(file);
    files = next;
    state = { build: state.build + 1, changed: summarize(changed), errors: [], fatal: undefined };
    const ms = performance.now() - started;
    const work = `${result.files.length - result.reused} rendered, ${result.reused} reused`;
    log(`✔ ${state.build === 1 ? "Built" : "Rebuilt"} ${plural(result.postmortems, "postmortem")} in ${ms.toFixed(0)} ms (${work}); ${plural(changed.length, "file")} changed`);
    broadcast();
  };

  const server = http.createServer((request, response) => {
    try {
      handle(request, response);
    } catch {
      if (!response.headersSent) response.writeHead(400);
      response.end("Bad request");
    }
  });

  function handle(request: http.IncomingMessage, response: http.ServerResponse): void {
    // Only pages opened from this machine: a page elsewhere cannot read the archive by
    // pointing its own host name at 127.0.0.1 (DNS rebinding), drafts included.
    const host = (request.headers.host ?? "").replace(/:\d+$/, "");
    if (!["127.0.0.1", "localhost", "[::1]"].includes(host)) return void response.writeHead(403).end("Forbidden host");
    const url = new URL(request.url ?? "/", "http://localhost");
    let pathname: string;
    try {
      pathname = decodeURIComponent(url.pathname);
    } catch {
      return void response.writeHead(400).end("Bad request");
    }
    if (pathname.includes("\0")) return void response.writeHead(400).end("Bad request");
    if (pathname === EVENTS_PATH) return void subscribe(response);
    const module = clientModules.get(pathname);
    if (module) return void send(response, 200, pathname, module);
    const found = lookup(pathname);
    if (found) return void send(response, 200, found.path, found.contents);
    const missing = files.get("404.html");
    send(response, 404, "404.html", missing?.contents ?? notFoundPage(state));
  }

  function subscribe(response: http.ServerResponse): void {
    response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
    response.write(`retry: 500\n${stateEvent(state)}`);
    clients.add(response);
    response.on("close", () => clients.delete(response));
  }

  function lookup(pathname: string): { path: string; contents: string | Uint8Array } | undefined {
    const relative = pathname.replace(/^\/+/, "");
    for (const candidate of [relative, `${relative.replace(/\/?$/, "/")}index.html`.replace(/^\//, "")]) {
      const file = files.get(candidate);
      if (file) return { path: candidate, contents: file.contents };
    }
    // public/ is copied as it is: served from the disk, never from outside it.
    const publicDir = config?.publicDir;
    if (!publicDir || relative === "" || relative.split("/").includes("..")) return undefined;
    const onDisk = path.join(publicDir, relative);
    const stat = fs.lstatSync(onDisk, { throwIfNoEntry: false });
    if (!stat?.isFile()) return undefined;
    // No symlink on the way either: the build does not copy them, so dev does not serve them.
    const real = fs.realpathSync(onDisk);
    return real.startsWith(fs.realpathSync(publicDir) + path.sep) && real === onDisk ? { path: relative, contents: fs.readFileSync(onDisk) } : undefined;
  }

  function send(response: http.ServerResponse, status: number, file: string, contents: string | Uint8Array): void {
    const type = contentType(file);
    // Every HTML page gets the client, which reloads it and shows errors: a file, not inline script.
    const body = type.startsWith("text/html") ? withClient(contents.toString(), state.build) : contents;
    response.writeHead(status, { "content-type": type, "cache-control": "no-store" });
    response.end(body);
  }

  // A first build before serving, so the first page asked for is there.
  await rebuild("start");
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      reject(error.code === "EADDRINUSE" ? new UsageError(`Port ${port} is in use: choose another with --port`) : error);
    });
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : port}/`;

  // The folders to watch come from the config, which a change can move: watched anew after each build.
  let watchers: fs.FSWatcher[] = [];
  let watchedKey = "";
  const queue = rebuildQueue(async (reason, changes) => {
    await quick(changes);
    await rebuild(reason);
    rewatch();
  });
  let closed = false;
  const rewatch = () => {
    if (closed) return;
    const dirs = config ?? resolveConfig({}, root);
    const key = JSON.stringify([dirs.contentDir, dirs.themeDirs, dirs.publicDir]);
    if (key === watchedKey) return;
    for (const watcher of watchers) watcher.close();
    watchedKey = key;
    watchers = watchProject(root, buildOptions.configFile, dirs, (kind, file) => {
      if (kind === "config") session = new BuildSession();
      if (kind === "asset") session.invalidate();
      queue.request(file, kind, path.relative(root, file) || file);
    });
  };
  rewatch();
  return {
    url,
    idle: () => queue.idle(),
    close: async () => {
      closed = true;
      for (const watcher of watchers) watcher.close();
      for (const client of clients) client.end();
      await queue.idle();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const IMAGE_FILE = /\.(png|jpe?g|gif|webp|avif|svg|bmp|ico)$/i;

/** What a changed file means for the next build. */
type ChangeKind = "postmortem" | "asset" | "theme" | "config";

/**
 * Watches the content, theme and public folders and the config file; calls back with what kind
 * of file changed. Folders that do not exist are not watched.
 */
function watchProject(root: string, configFile: string | undefined, config: ResolvedConfig, onChange: (kind: ChangeKind, file: string) => void): fs.FSWatcher[] {
  const ignored = [config.outDir, config.cacheDir];
  const watchers: fs.FSWatcher[] = [];
  const watch = (dir: string, recursive: boolean, classify: (file: string) => ChangeKind | undefined) => {
    if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) return;
    const watcher = fs.watch(dir, { recursive }, (_event, name) => {
      if (!name) return;
      const file = path.join(dir, name.toString());
      if (ignored.some((d) => file === d || file.startsWith(d + path.sep)) || /(^|[/\\])\.|~$/.test(name.toString())) return;
      const kind = classify(file);
      if (kind) onChange(kind, file);
    });
    watcher.on("error", () => watcher.close());
    watchers.push(watcher);
  };
  // Postmortems and the images beside them; an editor's swap and backup files are not either.
  watch(config.contentDir, true, (file) => (/\.(md|markdown)$/i.test(file) ? "postmortem" : IMAGE_FILE.test(file) ? "asset" : undefined));
  // The bundled default theme is watched too: editing it is how Hindsight's own theme is worked on.
  for (const dir of config.themeDirs) watch(dir, true, () => "theme");
  // An image in public/ can be used by a postmortem (`/diagram.png`); other files are copied as they are.
  watch(config.publicDir, true, (file) => (IMAGE_FILE.test(file) ? "asset" : "theme"));
  const configNames = new Set(configFile ? [path.resolve(root, configFile)] : CONFIG_FILES.map((name) => path.join(root, name)));
  for (const dir of new Set([...configNames].map((file) => path.dirname(file)))) {
    watch(dir, false, (file) => (configNames.has(file) ? "config" : undefined));
  }
  return watchers;
}

/**
 * Runs one rebuild at a time: changes that arrive together (an editor saves in several steps)
 * make one rebuild, and changes during a rebuild make one more after it.
 */
function rebuildQueue(rebuild: (reason: string, changes: ReadonlyMap<string, ChangeKind>) => Promise<void>) {
  const DEBOUNCE_MS = 40;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  // Changed files (absolute) with their kind, and how the terminal names them.
  let pending = new Map<string, ChangeKind>();
  const names = new Set<string>();
  const run = () => {
    timer = undefined;
    running = running
      .then(() => {
        if (pending.size === 0) return;
        const reason = [...names].slice(0, 3).join(", ") + (names.size > 3 ? ` and ${names.size - 3} more` : "");
        const changes = pending;
        pending = new Map();
        names.clear();
        return rebuild(reason, changes);
      })
      // rebuild() reports its own failures; this only keeps the queue alive whatever happens.
      .catch(() => undefined);
  };
  return {
    request(file: string, kind: ChangeKind, name: string) {
      pending.set(file, kind);
      names.add(name);
      if (timer) clearTimeout(timer);
      timer = setTimeout(run, DEBOUNCE_MS);
    },
    async idle() {
      while (timer || pending.size) {
        await new Promise((resolve) => setTimeout(resolve, DEBOUNCE_MS));
        await running;
      }
      await running;
    },
  };
}

/**
 * The changed files as the pages are told: a change that touches most of the archive reloads
 * every page (`*`), and the search index's files, which only the search page uses, are
 * `search/*` when many (an edit to one postmortem gives its index a new folder).
 */
function summarize(changed: readonly string[]): string[] {
  const search = changed.filter((file) => file.startsWith(SEARCH_DIR) && !file.endsWith(".html"));
  const pages = changed.filter((file) => !file.startsWith(SEARCH_DIR) || file.endsWith(".html"));
  if (pages.length > 200) return [EVERYTHING_CHANGED];
  return [...pages, ...(search.length > 50 ? [SEARCH_INDEX_CHANGED] : search)];
}

function overlayMessages(result: BuildResult): OverlayMessage[] {
  return result.files.flatMap((file) =>
    file.messages
      .filter((message) => message.fatal)
      .map((message) => ({
        file: path.relative(process.cwd(), file.path) || file.path,
        line: message.line ?? 1,
        column: message.column ?? 1,
        severity: "error" as const,
        message: message.reason,
        ruleId: message.ruleId,
        hint: message.note,
      })),
  );
}

function withClient(html: string, build: number): string {
  const tag = `<script type="module" src="${CLIENT_PATH}?${BUILD_PARAM}=${build}"></script>`;
  const at = html.lastIndexOf("</body>");
  return at === -1 ? html + tag : html.slice(0, at) + tag + html.slice(at);
}

/** A state as one server-sent event. */
function stateEvent(state: DevState): string {
  return `event: ${STATE_EVENT}\ndata: ${JSON.stringify(state)}\n\n`;
}

/** Before any build succeeded there is no archive: the overlay says why. */
function notFoundPage(state: DevState): string {
  const title = state.build === 0 ? "The archive has not been built yet" : "Page not found";
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1></body></html>`;
}
