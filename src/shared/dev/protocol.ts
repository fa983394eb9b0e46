// The dev protocol: what the dev server (src/dev/: server.ts, http.ts) and the dev client (src/client/dev/client.ts) say
// to each other, written once for both sides. The browser imports this module too, as
// `DEV_PREFIX + "protocol.js"`: it imports nothing, and uses neither Node nor the DOM.

/** Where the dev server keeps its own files and endpoints, apart from the archive's. */
export const DEV_PREFIX = "/__hindsight/";

/** The stream of states, as server-sent events. */
export const EVENTS_PATH = `${DEV_PREFIX}events`;

/** The client script, added to every HTML page the dev server serves. */
export const CLIENT_PATH = `${DEV_PREFIX}client.js`;

/**
 * The compiled modules served under DEV_PREFIX: the client and what it imports, by the name the
 * browser asks for (relative imports of `client.js` resolve under DEV_PREFIX).
 */
export const CLIENT_MODULES = ["client.js", "protocol.js"] as const;

/** The query parameter of the client's URL that names the build its page came from (`client.js?build=3`). */
export const BUILD_PARAM = "build";

/** The name of the server-sent event that carries a DevState. */
export const STATE_EVENT = "state";

/** In `DevState.changed`: the change touched most of the archive, every page reloads. */
export const EVERYTHING_CHANGED = "*";

/** The folder of the search page and its index: index files concern no other page. */
export const SEARCH_DIR = "search/";

/** In `DevState.changed`: many of the search index's files changed. */
export const SEARCH_INDEX_CHANGED = `${SEARCH_DIR}*`;

/** A content problem as the browser overlay shows it. */
export interface OverlayMessage {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly severity: "error" | "warning";
  readonly message: string;
  readonly ruleId?: string | undefined;
  readonly hint?: string | undefined;
}

/** What the pages are told after each build, as JSON (an undefined field is left out). */
export interface DevState {
  /** Incremented by each successful build, and by each page updated before its rebuild. */
  readonly build: number;
  /**
   * Output paths whose bytes changed in that build, or EVERYTHING_CHANGED, or
   * SEARCH_INDEX_CHANGED in place of the search index's files.
   */
  readonly changed: readonly string[];
  /** Errors of the last build, which then kept the previous archive; empty when it succeeded. */
  readonly errors: readonly OverlayMessage[];
  /** A problem with the project itself (config, theme), not a postmortem. */
  readonly fatal?: string | undefined;
}
