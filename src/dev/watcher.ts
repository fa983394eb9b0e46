import fs from "node:fs";
import path from "node:path";
import { CONFIG_FILES } from "../config-load.js";
import type { ResolvedConfig } from "../config.js";

/** What a changed file means for the next build. */
export type ChangeKind = "postmortem" | "asset" | "theme" | "config";

const IMAGE_FILE = /\.(png|jpe?g|gif|webp|avif|svg|bmp|ico)$/i;

/**
 * Watches a project's content, theme and public folders and its config file, and calls back
 * with each changed file and what kind it is. The folders come from the config, which a change
 * can move: `follow` is called again after each build.
 */
export class ProjectWatcher {
  private watchers: fs.FSWatcher[] = [];
  private watchedKey = "";
  private closed = false;

  constructor(
    private readonly root: string,
    private readonly configFile: string | undefined,
    private readonly onChange: (file: string, kind: ChangeKind) => void,
  ) {}

  /** Watches the folders of this config, unless they are the ones watched already. */
  async follow(dirs: ResolvedConfig): Promise<void> {
    const key = JSON.stringify([dirs.contentDir, dirs.themeDirs, dirs.publicDir]);
    if (this.closed || key === this.watchedKey) return;
    for (const watcher of this.watchers) watcher.close();
    this.watchedKey = key;
    this.watchers = watchProject(this.root, this.configFile, dirs, this.onChange);
  }

  /** Stops watching. */
  async close(): Promise<void> {
    this.closed = true;
    for (const watcher of this.watchers) watcher.close();
  }
}

/** Watches the folders of one config. Folders that do not exist are not watched. */
function watchProject(root: string, configFile: string | undefined, config: ResolvedConfig, onChange: (file: string, kind: ChangeKind) => void): fs.FSWatcher[] {
  const ignored = [config.outDir, config.cacheDir];
  const watchers: fs.FSWatcher[] = [];
  const watch = (dir: string, recursive: boolean, classify: (file: string) => ChangeKind | undefined) => {
    if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) return;
    const watcher = fs.watch(dir, { recursive }, (_event, name) => {
      if (!name) return;
      const file = path.join(dir, name.toString());
      if (ignored.some((d) => file === d || file.startsWith(d + path.sep)) || /(^|[/\\])\.|~$/.test(name.toString())) return;
      const kind = classify(file);
      if (kind) onChange(file, kind);
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
