import fs from "node:fs";
import path from "node:path";
import type { VFile } from "vfile";
import { loadConfig } from "./config-load.js";
import { resolveConfig, type ResolvedConfig, type UserConfig } from "./config.js";
import { UsageError } from "./errors.js";
import { discover, readSource } from "./stages/discover.js";
import type { SourceFile } from "./types.js";
import { isInside } from "./util/inside.js";

/** Options shared by `check` and `build`: config overrides plus how to run. */
export interface RunOptions extends UserConfig {
  /** Project root: where the config file is looked for and relative folders resolve. @default process.cwd() */
  root?: string;
  /** Path of the config file, instead of looking for `hindsight.config.*` at the root. */
  configFile?: string;
  /** Warnings count as errors. @default false */
  strict?: boolean;
}

/** Loads the config file and applies the overrides given in code or on the command line. */
export async function loadProjectConfig(options: RunOptions): Promise<ResolvedConfig> {
  const { root = process.cwd(), configFile, strict: _strict, ...overrides } = options;
  const { config: fromFile } = await loadConfig(root, configFile);
  const given = Object.fromEntries(Object.entries<unknown>(overrides).filter(([, value]) => value !== undefined));
  const defined = Object.keys(given).length === 0 ? {} : (await import("./config-schema.js")).validateUserConfig(given, "options");
  return resolveConfig({ ...fromFile, ...defined }, root);
}

/** Sources for command-line paths (relative to the root) that lie outside the content folder (inside ones are discovered anyway). */
export async function sourcesOutside(config: ResolvedConfig, paths: readonly string[]): Promise<SourceFile[]> {
  const outside: SourceFile[] = [];
  for (const given of paths) {
    const absolute = path.resolve(config.root, given);
    const stat = fs.statSync(absolute, { throwIfNoEntry: false });
    if (!stat) throw new UsageError(`No such file or folder: ${given}`);
    if (isInside(absolute, config.contentDir)) continue;
    if (stat.isDirectory()) {
      const found = await discover(config, absolute);
      outside.push(...found.map((s) => ({ ...s, relPath: path.basename(absolute) + "/" + s.relPath })));
    } else {
      outside.push(readSource(path.dirname(absolute), path.basename(absolute), config.limits.fileBytes));
    }
  }
  return outside;
}

/** True when `file` is `dir` or inside it. */

/** Turns every warning into an error (`--strict`); an info stays one. */
export function makeStrict(files: readonly VFile[]): void {
  for (const file of files) for (const message of file.messages) if (message.fatal === false) message.fatal = true;
}
