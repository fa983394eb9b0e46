import fs from "node:fs";
import path from "node:path";
import type { VFile } from "vfile";
import { analyze } from "./analyze.js";
import { settingsKey } from "./cache/keys.js";
import { codeId } from "./util/version.js";
import type { ResolvedConfig } from "./config.js";
import { loadProjectConfig, makeStrict, sourcesOutside, type RunOptions } from "./project.js";
import { TextStamps } from "./cache/stamps.js";
import { discover } from "./stages/discover.js";
import { isError } from "./util/messages.js";
import { isInside } from "./util/inside.js";

/** Options of `check`: which files to report on. */
export interface CheckOptions extends RunOptions {
  /** Files or folders to report on (relative to the root, the working folder by default); all of the content folder when empty. */
  paths?: readonly string[];
  /** Keep processed postmortems in `.cache/records/` and reuse them. @default true */
  cache?: boolean;
  /** Worker threads; 0 processes in this thread. @default one per core, for 256 postmortems or more */
  workers?: number;
}

/** What `check` found: one vfile per postmortem reported on, each with its messages. */
export interface CheckResult {
  readonly config: ResolvedConfig;
  readonly files: readonly VFile[];
  /** False when any message is an error. */
  readonly ok: boolean;
}

/**
 * Validates postmortems without writing anything but the cache: the same front half as `build`
 * (`analyze`), so both say the same things about the same files, downloads aside. Every file of the content
 * folder is read (a slug must be unique across all of them), but only those under `paths` are
 * reported on; with paths and no content folder, only the files under them are read.
 */
export async function check(options: CheckOptions = {}): Promise<CheckResult> {
  const { paths = [], cache = true, workers, ...runOptions } = options;
  const config = await loadProjectConfig(runOptions);
  // Files or folders given, and no content folder (a team's `docs/incidents/`): only those are read.
  const onlyPaths = paths.length > 0 && !fs.statSync(config.contentDir, { throwIfNoEntry: false })?.isDirectory();
  const stamps = cache ? new TextStamps(config.cacheDir) : undefined;
  const sources = [...(onlyPaths ? [] : await discover(config, config.contentDir, stamps)), ...(await sourcesOutside(config, paths))];
  // Nothing is downloaded: a remote image is the build's to fetch (and to warn about when its host does not answer).
  const { entries } = await analyze(config, sources, { mode: "check", offline: true, cache, workers, settings: settingsKey(config, codeId(), true, "check") });
  const wanted = paths.map((p) => path.resolve(config.root, p));
  const files = entries.map((entry) => entry.file).filter((file) => wanted.length === 0 || wanted.some((p) => isInside(file.path, p)));
  if (options.strict) makeStrict(files);
  return { config, files, ok: !files.some((file) => file.messages.some(isError)) };
}
