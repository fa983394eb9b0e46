import fs from "node:fs";
import type http from "node:http";
import path from "node:path";
import { contentType } from "./mime.js";
import { BUILD_PARAM, CLIENT_MODULES, CLIENT_PATH, DEV_PREFIX, EVENTS_PATH, STATE_EVENT, type DevState } from "../shared/dev/protocol.js";
import type { DevArchive } from "./state.js";
import { isInside } from "../util/inside.js";
import { debug } from "../util/debug.js";
import { readClientModule } from "../util/client-modules.js";

/** The pages that listen for states (server-sent events), and what they are told. */
export class StateStream {
  private readonly clients = new Set<http.ServerResponse>();

  /** Keeps a response open as an event stream, starting with the current state. */
  subscribe(response: http.ServerResponse, state: DevState): void {
    response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
    response.write(`retry: 500\n${stateEvent(state)}`);
    this.clients.add(response);
    response.on("close", () => this.clients.delete(response));
  }

  /** Tells every open page a new state. */
  broadcast(state: DevState): void {
    for (const client of this.clients) client.write(stateEvent(state));
  }

  /** Ends every stream, so that the server can close. */
  end(): void {
    for (const client of this.clients) client.end();
  }
}

/** The compiled client and the modules it imports, by the path the browser asks for, read once. */
export function readClientModules(): ReadonlyMap<string, Uint8Array> {
  return new Map(CLIENT_MODULES.map((name) => [`${DEV_PREFIX}${name}`, readClientModule("dev", name)]));
}

/**
 * The dev server's request handler: the archive from memory, public/ from the disk, the client
 * modules and the stream of states; every HTML page gets the client.
 */
export function devHandler(archive: DevArchive, stream: StateStream, modules: ReadonlyMap<string, Uint8Array>): http.RequestListener {
  const send = (response: http.ServerResponse, status: number, file: string, contents: string | Uint8Array) => {
    const type = contentType(file);
    // Every HTML page gets the client, which reloads it and shows errors: a file, not inline script.
    const body = type.startsWith("text/html") ? withClient(contents.toString(), archive.state.build) : contents;
    response.writeHead(status, { "content-type": type, "cache-control": "no-store" });
    response.end(body);
  };

  const handle = (request: http.IncomingMessage, response: http.ServerResponse) => {
    // Only pages opened from this machine: a page elsewhere cannot read the archive by
    // pointing its own host name at 127.0.0.1 (DNS rebinding), drafts included.
    const host = (request.headers.host ?? "").replace(/:\d+$/, "");
    if (!["127.0.0.1", "localhost", "[::1]"].includes(host)) return void response.writeHead(403).end("Forbidden host");
    const requested = request.url ?? "/";
    const url = new URL(requested, "http://localhost");
    let pathname: string;
    try {
      pathname = decodeURIComponent(url.pathname);
    } catch (error) {
      // A malformed %-escape: the request's mistake, answered as one.
      debug("dev", `a request with a malformed %-escape: ${requested}`, error);
      return void response.writeHead(400).end("Bad request");
    }
    if (pathname.includes("\0")) return void response.writeHead(400).end("Bad request");
    if (pathname === EVENTS_PATH) {
      stream.subscribe(response, archive.state);
      return;
    }
    const module = modules.get(pathname);
    const found = module ? { path: pathname, contents: module } : lookup(archive, pathname);
    if (found) send(response, 200, found.path, found.contents);
    else send(response, 404, "404.html", archive.file("404.html")?.contents ?? notFoundPage(archive.state));
  };

  return (request, response) => {
    try {
      handle(request, response);
    } catch (error) {
      // A request the handler could not make sense of (a malformed URL): the server stays up.
      debug("dev", `a request the handler could not answer: ${request.url ?? "/"}`, error);
      if (!response.headersSent) response.writeHead(400);
      response.end("Bad request");
    }
  };
}

/** The archive file a URL path names (`/x/` is `x/index.html`), else a file of public/. */
function lookup(archive: DevArchive, pathname: string): { path: string; contents: string | Uint8Array } | undefined {
  const relative = pathname.replace(/^\/+/, "");
  for (const candidate of [relative, `${relative.replace(/\/?$/, "/")}index.html`.replace(/^\//, "")]) {
    const file = archive.file(candidate);
    if (file) return { path: candidate, contents: file.contents };
  }
  // public/ is copied as it is: served from the disk, never from outside it.
  const { publicDir } = archive;
  if (!publicDir || relative === "" || relative.split("/").includes("..")) return undefined;
  const onDisk = path.join(publicDir, relative);
  const stat = fs.lstatSync(onDisk, { throwIfNoEntry: false });
  if (!stat?.isFile()) return undefined;
  // No symlink on the way either: the build does not copy them, so dev does not serve them.
  const real = fs.realpathSync(onDisk);
  return isInside(real, fs.realpathSync(publicDir)) && real === onDisk ? { path: relative, contents: fs.readFileSync(onDisk) } : undefined;
}

/** A state as one server-sent event. */
function stateEvent(state: DevState): string {
  return `event: ${STATE_EVENT}\ndata: ${JSON.stringify(state)}\n\n`;
}

function withClient(html: string, build: number): string {
  const tag = `<script type="module" src="${CLIENT_PATH}?${BUILD_PARAM}=${build}"></script>`;
  const at = html.lastIndexOf("</body>");
  return at === -1 ? html + tag : html.slice(0, at) + tag + html.slice(at);
}

/** Before any build succeeded there is no archive: the overlay says why. */
function notFoundPage(state: DevState): string {
  const title = state.build === 0 ? "The archive has not been built yet" : "Page not found";
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1></body></html>`;
}
