import path from "node:path";
import { performance } from "node:perf_hooks";
import { generate, type BuildOptions, type BuildResult, type Generated } from "../build.js";
import { BuildSession } from "../cache/session.js";
import { resolveConfig, type ResolvedConfig } from "../config.js";
import { HindsightError } from "../errors.js";
import { formatStylish } from "../report/index.js";
import type { Output } from "../types.js";
import { plural } from "../util/format.js";
import { contentKey } from "../cache/keys.js";
import { escapeTerminal, escapeTerminalLines } from "../util/terminal.js";
import { EVERYTHING_CHANGED, SEARCH_DIR, SEARCH_INDEX_CHANGED, type DevState, type OverlayMessage } from "../shared/dev/protocol.js";
import { quickPage } from "./quick.js";
import type { ChangeKind } from "./watcher.js";

/** An archive file as dev serves it, with the hash that tells whether a rebuild changed it. */
export interface ServedFile {
  readonly contents: string | Uint8Array;
  readonly hash: string;
}

/** How a DevArchive builds and reports. */
export interface DevArchiveOptions {
  /** The build's options; drafts are always included. */
  readonly build: Omit<BuildOptions, "drafts" | "onProgress"> & { readonly root: string };
  /** Where progress and messages go (the terminal). */
  readonly log: (line: string) => void;
  /** ANSI colours in the messages. */
  readonly color: boolean;
  /** Paths in the messages are shown relative to this folder (the command's working folder). */
  readonly cwd: string;
  /** Called with each new state, for the open pages. */
  readonly onState: (state: DevState) => void;
}

/**
 * The archive as `hindsight dev` serves it: the last good build's files in memory, what the
 * pages were last told, and the build session that lets a rebuild reuse what did not change.
 * A build replaces the files whole or not at all: a failed one keeps the last good archive and
 * says why in the state.
 */
export class DevArchive {
  private files = new Map<string, ServedFile>();
  /** The last build's lazy pages by key: a page whose key did not change is not made again. */
  private byKey = new Map<string, ServedFile>();
  private made: Generated["made"];
  private config: ResolvedConfig | undefined;
  private session = new BuildSession();
  private current: DevState = { build: 0, changed: [], errors: [], fatal: undefined };

  constructor(private readonly options: DevArchiveOptions) {}

  /** What the pages were last told. */
  get state(): DevState {
    return this.current;
  }

  /** The folders of the last build's config (defaults before there is one): what to watch. */
  get dirs(): ResolvedConfig {
    return this.config ?? resolveConfig({}, this.options.build.root);
  }

  /** The public/ folder of the last build's config, served from the disk; none before there is one. */
  get publicDir(): string | undefined {
    return this.config?.publicDir;
  }

  /** An output file of the last good build, by its path (`postmortems/x/index.html`). */
  file(outputPath: string): ServedFile | undefined {
    return this.files.get(outputPath);
  }

  /** Forgets what a change may make stale, before its rebuild: the whole session for the config, every processed postmortem for an image (any may show it). */
  noteChange(kind: ChangeKind): void {
    if (kind === "config") this.session = new BuildSession();
    if (kind === "asset") this.session.invalidate();
  }

  /** Shows an edit to one postmortem's body at once, before the rebuild that follows (quick.ts). */
  async showEdit(changes: ReadonlyMap<string, ChangeKind>): Promise<void> {
    const [change, ...others] = changes;
    const { made, config } = this;
    if (!change || others.length > 0 || change[1] !== "postmortem" || !made || !config || this.current.errors.length > 0 || this.current.fatal) return;
    const started = performance.now();
    // Any failure here is the rebuild's to report: it follows at once.
    const page = await quickPage(change[0], config, made, this.session).catch(() => undefined);
    if (!page) return;
    const hash = contentKey(page.contents);
    if (this.files.get(page.path)?.hash === hash) return;
    this.files.set(page.path, { contents: page.contents, hash });
    this.options.log(`✔ Updated ${escapeTerminal(page.path)} in ${(performance.now() - started).toFixed(0)} ms; rebuilding the rest`);
    this.tell({ build: this.current.build + 1, changed: [page.path], errors: [], fatal: undefined });
  }

  /** Builds the archive again, reusing what did not change, and tells the pages what did. */
  async rebuild(reason: string): Promise<void> {
    const { log } = this.options;
    const started = performance.now();
    let result: BuildResult;
    let next: Map<string, ServedFile> | undefined;
    try {
      const generated = await generate({ ...this.options.build, drafts: true }, this.session);
      result = generated.result;
      next = generated.outputs && this.serve(generated.outputs);
      if (next) this.made = generated.made;
    } catch (error) {
      // A problem with the project (config, theme) or a bug: shown, and the last good archive kept.
      const message =
        error instanceof HindsightError ? error.message : `internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
      log(`✖ ${escapeTerminalLines(message)}`);
      this.tell({ ...this.current, changed: [], errors: [], fatal: message.split("\n")[0] });
      return;
    }
    this.config = result.config;
    const report = formatStylish(result.files, { cwd: this.options.cwd, color: this.options.color });
    if (report) log(report);
    if (!next) {
      log(`✖ Build failed (${escapeTerminal(reason)}): the page shows the errors; fix them and save.`);
      this.tell({ ...this.current, changed: [], errors: overlayMessages(result, this.options.cwd), fatal: undefined });
      return;
    }
    const changed = [...next].filter(([file, { hash }]) => this.files.get(file)?.hash !== hash).map(([file]) => file);
    for (const file of this.files.keys()) if (!next.has(file)) changed.push(file);
    this.files = next;
    const build = this.current.build + 1;
    const ms = performance.now() - started;
    const work = `${result.files.length - result.reused} rendered, ${result.reused} reused`;
    log(
      `✔ ${build === 1 ? "Built" : "Rebuilt"} ${plural(result.postmortems, "postmortem")} in ${ms.toFixed(0)} ms (${work}); ${plural(changed.length, "file")} changed`,
    );
    this.tell({ build, changed: summarize(changed), errors: [], fatal: undefined });
  }

  /**
   * The build's outputs as served files. Lazy pages are made here, or taken from the last build
   * when their key did not change: a layout that fails fails this rebuild, not the server.
   */
  private serve(outputs: readonly Output[]): Map<string, ServedFile> {
    const keyed = new Map<string, ServedFile>();
    const served = (contents: string | Uint8Array) => ({ contents, hash: contentKey(contents) });
    const files = new Map(
      outputs.map((file) => {
        if (!("key" in file)) return [file.path, served(file.contents)];
        const entry = this.byKey.get(file.key) ?? served(file.render());
        keyed.set(file.key, entry);
        return [file.path, entry];
      }),
    );
    this.byKey = keyed;
    return files;
  }

  private tell(state: DevState): void {
    this.current = state;
    this.options.onState(state);
  }
}

/**
 * The changed files as the pages are told: a change that touches most of the archive reloads
 * every page, and the search index's files, which only the search page uses, are one entry
 * when many (an edit to one postmortem gives its index a new folder).
 */
function summarize(changed: readonly string[]): string[] {
  const search = changed.filter((file) => file.startsWith(SEARCH_DIR) && !file.endsWith(".html"));
  const pages = changed.filter((file) => !file.startsWith(SEARCH_DIR) || file.endsWith(".html"));
  if (pages.length > 200) return [EVERYTHING_CHANGED];
  return [...pages, ...(search.length > 50 ? [SEARCH_INDEX_CHANGED] : search)];
}

/** The build's errors as the overlay shows them, with paths relative to where dev was started. */
function overlayMessages(result: BuildResult, cwd: string): OverlayMessage[] {
  return result.files.flatMap((file) =>
    file.messages
      .filter((message) => message.fatal)
      .map((message) => ({
        file: path.relative(cwd, file.path) || file.path,
        line: message.line ?? 1,
        column: message.column ?? 1,
        severity: "error" as const,
        message: message.reason,
        ruleId: message.ruleId,
        hint: message.note,
      })),
  );
}
