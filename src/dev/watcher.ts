import type { Stats } from "node:fs";
import path from "node:path";
import { watch, type FSWatcher } from "chokidar";
import { CONFIG_FILES } from "../config-load.js";
import type { ResolvedConfig } from "../config.js";
import { isInside } from "../util/inside.js";

/** What a changed file means for the next build. */
export type ChangeKind = "postmortem" | "asset" | "theme" | "config";

/** Where the watcher reports: each changed file with its kind, and what it cannot watch. */
export interface WatchEvents {
  readonly onChange: (file: string, kind: ChangeKind) => void;
  readonly onError: (error: Error) => void;
}

/** One folder to watch, and what its files mean for the build (undefined: nothing, not watched). */
interface Target {
  readonly role: "content" | "theme" | "public" | "config";
  readonly dir: string;
  /** Only the folder's own files, not its subfolders'. */
  readonly shallow?: boolean;
  readonly classify: (file: string) => ChangeKind | undefined;
  /** What a change anywhere in the folder means: reported for a folder that starts being watched after a build read it. */
  readonly whole: ChangeKind;
}

const IMAGE_FILE = /\.(png|jpe?g|gif|webp|avif|svg|bmp|ico)$/i;

/**
 * Watches a project's content, theme and public folders and its config file with chokidar,
 * which follows editors' atomic saves (a temporary file renamed over the old one), new
 * folders, renames and deletes on every platform, where recursive `fs.watch` differs. The
 * folders come from the config, which a change can move: `follow` is called after each build.
 */
export class ProjectWatcher {
  /** A watcher per folder, by its role, the folder and what it ignores. */
  private watchers = new Map<string, FSWatcher>();
  private closed = false;
  /** Scans under way, ended early by close(). */
  private readonly scans = new Set<() => void>();

  constructor(
    private readonly root: string,
    private readonly configFile: string | undefined,
    private readonly events: WatchEvents,
  ) {}

  /**
   * Watches the folders of this config, and no longer those of the last one; settles when the
   * new ones are scanned, so that a change from then on is reported. A folder that does not
   * exist yet is watched for when the folder above it exists.
   */
  async follow(config: ResolvedConfig): Promise<void> {
    if (this.closed) return;
    const first = this.watchers.size === 0;
    const wanted = new Map(targets(this.root, this.configFile, config).map((target) => [JSON.stringify([target.role, target.dir, config.outDir]), target]));
    const added = [...wanted].filter(([key]) => !this.watchers.has(key));
    const stale = [...this.watchers].filter(([key]) => !wanted.has(key));
    for (const [key, target] of added) this.watchers.set(key, this.watch(target, config));
    // The new folders are scanned before the old ones are let go: a change between is not lost.
    await Promise.all(added.map(([key]) => this.scanned(this.watchers.get(key))));
    for (const [key] of stale) this.watchers.delete(key);
    await Promise.all(stale.map(([, watcher]) => watcher.close()));
    // A change made to a new folder after the build read it and before its scan ended was not
    // seen: one more build reads it. The first folders are scanned before the server is ready.
    // close() can run during the awaits above, which TypeScript's narrowing of `closed` at the top does not see.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
    if (!first && !this.closed) for (const [, target] of added) this.events.onChange(target.dir, target.whole);
  }

  /** Stops watching. */
  async close(): Promise<void> {
    this.closed = true;
    for (const end of this.scans) end();
    await Promise.all([...this.watchers.values()].map((watcher) => watcher.close()));
  }

  private watch(target: Target, config: ResolvedConfig): FSWatcher {
    const { dir, classify } = target;
    const ignored = (file: string, stats?: Stats) => {
      // Chokidar watches the folders above one that does not exist yet, for it to appear.
      if (file === dir || !isInside(file, dir)) return false;
      const names = path.relative(dir, file).split(path.sep);
      // Editors' swap and backup files, .git, .cache, dependencies, the build's own output.
      if (names.some((name) => name.startsWith(".") || name === "node_modules") || file.endsWith("~")) return true;
      if (isInside(file, config.outDir) || isInside(file, config.cacheDir)) return true;
      // A file that means nothing to the build is not watched at all (chokidar watches each file).
      return stats?.isFile() === true && classify(file) === undefined;
    };
    const watcher = watch(dir, {
      ignoreInitial: true,
      ignored,
      depth: target.shallow ? 0 : undefined,
      // A file the build could not read either.
      ignorePermissionErrors: true,
      // The queue's debounce already joins a delete and the write that follows it (an editor's
      // save); chokidar's own joining would hold every delete back 100 ms, and report a rename's
      // two halves to two rebuilds.
      atomic: false,
    });
    watcher.on("all", (event, file) => {
      if (event !== "add" && event !== "change" && event !== "unlink") return;
      const kind = classify(file);
      if (kind) this.events.onChange(file, kind);
    });
    watcher.on("error", (error) => {
      this.events.onError(error instanceof Error ? error : new Error(String(error)));
    });
    return watcher;
  }

  /** Settles when the watcher has scanned its folder, or is closed. */
  private scanned(watcher: FSWatcher | undefined): Promise<void> {
    return new Promise((resolve) => {
      if (!watcher || this.closed) {
        resolve();
        return;
      }
      const end = () => {
        this.scans.delete(end);
        resolve();
      };
      this.scans.add(end);
      watcher.once("ready", end);
    });
  }
}

/** The folders of one config, and what their files mean. */
function targets(root: string, configFile: string | undefined, config: ResolvedConfig): Target[] {
  const configNames = new Set(configFile ? [path.resolve(root, configFile)] : CONFIG_FILES.map((name) => path.join(root, name)));
  return [
    // Postmortems and the images beside them.
    {
      role: "content",
      dir: config.contentDir,
      whole: "asset",
      classify: (file) => (/\.(md|markdown)$/i.test(file) ? "postmortem" : IMAGE_FILE.test(file) ? "asset" : undefined),
    },
    // The bundled default theme is watched too: editing it is how Hindsight's own theme is worked on.
    ...config.themeDirs.map((dir): Target => ({ role: "theme", dir, whole: "theme", classify: () => "theme" })),
    // An image in public/ can be used by a postmortem (`/diagram.png`); other files are copied as they are.
    { role: "public", dir: config.publicDir, whole: "asset", classify: (file) => (IMAGE_FILE.test(file) ? "asset" : "theme") },
    ...[...new Set([...configNames].map((file) => path.dirname(file)))].map((dir): Target => ({
      role: "config",
      dir,
      shallow: true,
      whole: "config",
      classify: (file) => (configNames.has(file) ? "config" : undefined),
    })),
  ];
}
