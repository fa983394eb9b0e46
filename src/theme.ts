import fs from "node:fs";
import path from "node:path";
import { Eta } from "eta";
import fg from "fast-glob";
import { cacheKey } from "./cache/keys.js";
import { UsageError } from "./errors.js";
import type { OutputFile } from "./types.js";
import { textBefore } from "./util/format.js";
import { shortHash } from "./util/hash.js";
import { getOrAdd } from "./util/lookup.js";

/** A loaded theme: its layouts, ready to render, and its content-hashed assets. */
export interface Theme {
  /** Renders a layout (`"postmortem"`) with the given data; output is auto-escaped. */
  render(layout: string, data: Record<string, unknown>): string;
  /** Asset name (`style.css`) → output path (`assets/style.3f2a9c1b0d.css`). */
  readonly assetPaths: Readonly<Record<string, string>>;
  readonly assets: readonly OutputFile[];
  /** A hash of every layout and asset: pages made with another theme are made again. */
  readonly key: string;
}

/**
 * Loads a theme from its folders, first one first: each layout (`layouts/*.eta`) and asset
 * (`assets/**`) is taken from the first folder that has a file of that name, so a theme can
 * override single files of the default theme and inherit the rest.
 */
export function loadTheme(dirs: string | readonly string[]): Theme {
  const stack = typeof dirs === "string" ? [dirs] : dirs;
  const [primary] = stack;
  if (primary === undefined) throw new UsageError("Theme not found: no theme folder given (set it with --theme NAME|DIR)");
  if (!fs.statSync(primary, { throwIfNoEntry: false })?.isDirectory()) {
    throw new UsageError(`Theme not found: ${primary} is not a folder (set it with --theme NAME|DIR)`);
  }
  const layoutDirs = stack.map((dir) => path.join(dir, "layouts"));
  if (!layoutDirs.some((dir) => fs.existsSync(dir))) {
    throw new UsageError(`Theme not found: ${primary} has no layouts/ folder (set it with --theme NAME|DIR)`);
  }
  const views = path.join(primary, "layouts");
  const eta = new Eta({ views, cache: true, autoEscape: true, autoTrim: [false, "nl"] });
  // Eta resolves every template inside `views`; the file itself comes from the first folder that has it.
  eta.readFile = (file: string) => {
    const relative = path.relative(views, file);
    for (const dir of layoutDirs) {
      const candidate = path.join(dir, relative);
      if (fs.existsSync(candidate)) return fs.readFileSync(candidate, "utf8");
    }
    throw new UsageError(`Theme layout not found: ${relative} (looked in ${layoutDirs.join(", ")})`);
  };
  // Eta resolves a layout's path at every render and include, building a JSON key each time:
  // at 100,000 postmortems, with an include per row of each list, 4.7 s of the write stage.
  // A path is resolved once per including file here; a path it refuses is refused every time.
  const resolve = eta.resolvePath.bind(eta);
  const resolved = new Map<string, string>();
  eta.resolvePath = (template: string, options?: { filepath?: string }) =>
    getOrAdd(resolved, `${options?.filepath ?? ""}\0${template}`, () => resolve(template, options));

  const winners = new Map<string, string>();
  for (const dir of stack) {
    const assetDir = path.join(dir, "assets");
    for (const name of fg.sync("**/*", { cwd: assetDir, onlyFiles: true, followSymbolicLinks: false })) {
      if (!winners.has(name)) winners.set(name, path.join(assetDir, name));
    }
  }
  const assetPaths: Record<string, string> = {};
  const assets: OutputFile[] = [];
  for (const [name, file] of [...winners].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const contents = fs.readFileSync(file);
    const ext = path.extname(name);
    // Content-hashed names can be cached forever by the host.
    const hashed = `assets/${name.slice(0, name.length - ext.length)}.${shortHash(contents)}${ext}`;
    assetPaths[name] = hashed;
    assets.push({ path: hashed, contents });
  }
  // Every layout that could be used, first folder first, so that any edit changes the key.
  // By each folder's place in the stack, not its path: the key stays when the project moves.
  const layouts = layoutDirs.flatMap((dir, i) =>
    fg
      .sync("**/*", { cwd: dir, onlyFiles: true })
      .sort()
      .flatMap((name) => [`${i}/${name}`, fs.readFileSync(path.join(dir, name))]),
  );
  return {
    key: cacheKey("theme", assetPaths, ...layouts),
    render: (layout, data) => {
      try {
        return eta.render(`./${layout}`, data);
      } catch (error) {
        if (error instanceof UsageError) throw error;
        // A layout is code of the project: its mistakes are shown as such, never as a crash.
        const where = layoutDirs.find((dir) => fs.existsSync(path.join(dir, `${layout}.eta`))) ?? views;
        const reason = error instanceof Error ? textBefore(error.message, "\n") : String(error);
        throw new UsageError(`Theme layout ${path.join(where, `${layout}.eta`)} failed: ${reason}`, { cause: error });
      }
    },
    assetPaths,
    assets,
  };
}

/** The first of the theme's folders that has `relative` (`templates/postmortem.md`), if any. */
export function themeFile(dirs: readonly string[], relative: string): string | undefined {
  return dirs.map((dir) => path.join(dir, relative)).find((file) => fs.existsSync(file));
}
