import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { UserConfig } from "./config.js";
import { UsageError } from "./errors.js";

/** Config file names looked for at the project root, in this order. */
export const CONFIG_FILES = ["hindsight.config.json", "hindsight.config.js", "hindsight.config.mjs", "hindsight.config.ts"] as const;

/** Output folders of the archive itself: a taxonomy may not take their names. */
export const RESERVED_PATHS = ["postmortems", "assets", "images", "search", "stats", "actions", "years"] as const;

/** A config as loaded: the values and the file they came from (undefined when there is none). */
export interface LoadedConfig {
  readonly config: UserConfig;
  readonly file: string | undefined;
}

/**
 * Loads and validates the project's config file: `explicit` (from `--config`), or the first of
 * `CONFIG_FILES` at `root`. No file means every default. A bad file is a UsageError naming it.
 */
export async function loadConfig(root: string, explicit?: string): Promise<LoadedConfig> {
  const file = explicit ? path.resolve(root, explicit) : CONFIG_FILES.map((name) => path.join(root, name)).find((f) => fs.existsSync(f));
  if (!file) return { config: {}, file: undefined };
  if (!fs.existsSync(file)) throw new UsageError(`Config file not found: ${file}`);
  const raw = await readConfigFile(file);
  // zod (150 ms to import) is loaded only when there is something to validate.
  const { validateUserConfig } = await import("./config-schema.js");
  return { config: validateUserConfig(raw, file), file };
}

async function readConfigFile(file: string): Promise<unknown> {
  try {
    if (file.endsWith(".json")) return JSON.parse(fs.readFileSync(file, "utf8"));
    if (/\.[cm]?ts$/.test(file)) {
      // Node 20 cannot import TypeScript itself; jiti transpiles the config on the fly.
      const { createJiti } = await import("jiti");
      return await createJiti(import.meta.url, { moduleCache: false }).import(file, { default: true });
    }
    const module = (await import(`${pathToFileURL(file).href}?t=${fs.statSync(file).mtimeMs}`)) as { default?: unknown };
    return module.default;
  } catch (error) {
    throw new UsageError(`Cannot load config ${file}: ${(error as Error).message}`, { cause: error });
  }
}
