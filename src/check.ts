import path from "node:path";
import type { VFile } from "vfile";
import type { ResolvedConfig } from "./config.js";
import { rewriteImages } from "./images/rewrite.js";
import { ImageStore } from "./images/store.js";
import { guardDepth, rawHast } from "./stages/render.js";
import { analyze, isInside, loadProjectConfig, makeStrict, sourcesOutside, type RunOptions } from "./project.js";
import { isError } from "./util/messages.js";

/** Options of `check`: which files to report on. */
export interface CheckOptions extends RunOptions {
  /** Files or folders to report on (relative to the working folder); all of the content folder when empty. */
  paths?: readonly string[];
}

/** What `check` found: one vfile per postmortem reported on, each with its messages. */
export interface CheckResult {
  readonly config: ResolvedConfig;
  readonly files: readonly VFile[];
  /** False when any message is an error. */
  readonly ok: boolean;
}

/**
 * Validates postmortems without writing anything. Every file of the content folder is read (a
 * slug must be unique across all of them), but only those under `paths` are reported on.
 */
export async function check(options: CheckOptions = {}): Promise<CheckResult> {
  const { paths = [], ...runOptions } = options;
  const config = await loadProjectConfig(runOptions);
  const parsed = await analyze(config, await sourcesOutside(config, paths));
  // Embedded and local images are checked too (nothing is stored, nothing downloaded).
  const images = new ImageStore(config, { mode: "check", offline: true });
  await Promise.all(
    parsed.map((pm) => {
      const tree = guardDepth(pm, () => rawHast(pm));
      return tree && rewriteImages(tree, images, { file: pm.file, path: pm.source.path, toRoot: "" });
    }),
  );
  const wanted = paths.map((p) => path.resolve(p));
  const files = parsed.map((pm) => pm.file).filter((file) => wanted.length === 0 || wanted.some((p) => isInside(file.path, p)));
  if (options.strict) makeStrict(files);
  return { config, files, ok: !files.some((file) => file.messages.some(isError)) };
}
