import fs from "node:fs";
import path from "node:path";
import { Eta } from "eta";
import fg from "fast-glob";
import { UsageError } from "./errors.js";
import type { OutputFile } from "./types.js";
import { shortHash } from "./util/hash.js";

/** A loaded theme: its layouts, ready to render, and its content-hashed assets. */
export interface Theme {
  readonly dir: string;
  /** Renders a layout (`"postmortem"`) with the given data; output is auto-escaped. */
  render(layout: string, data: Record<string, unknown>): string;
  /** Asset name (`style.css`) → output path (`assets/style.3f2a9c1b0d.css`). */
  readonly assetPaths: Readonly<Record<string, string>>;
  readonly assets: readonly OutputFile[];
}

/** Loads a theme folder: `layouts/*.eta` and `assets/**`. */
export function loadTheme(dir: string): Theme {
  const layouts = path.join(dir, "layouts");
  if (!fs.existsSync(layouts)) {
    throw new UsageError(`Theme not found: ${dir} has no layouts/ folder (set it with --theme NAME|DIR)`);
  }
  const eta = new Eta({ views: layouts, cache: true, autoEscape: true, autoTrim: [false, "nl"] });
  const assetPaths: Record<string, string> = {};
  const assets: OutputFile[] = [];
  const assetDir = path.join(dir, "assets");
  for (const name of fg.sync("**/*", { cwd: assetDir, onlyFiles: true }).sort()) {
    const contents = fs.readFileSync(path.join(assetDir, name));
    const ext = path.extname(name);
    // Content-hashed names can be cached forever by the host.
    const hashed = `assets/${name.slice(0, name.length - ext.length)}.${shortHash(contents)}${ext}`;
    assetPaths[name] = hashed;
    assets.push({ path: hashed, contents });
  }
  return {
    dir,
    render: (layout, data) => eta.render(`./${layout}`, data),
    assetPaths,
    assets,
  };
}
