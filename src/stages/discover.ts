import fs from "node:fs/promises";
import path from "node:path";
import fg from "fast-glob";
import type { ResolvedConfig } from "../config.js";
import { contentKey } from "../cache/keys.js";
import type { TextStamps } from "../cache/stamps.js";
import { InternalError, IOError, UsageError } from "../errors.js";
import type { SourceFile } from "../types.js";
import { readOrError, readTexts, TooBig, type ReadText } from "../util/read-texts.js";
import { isInside } from "../util/inside.js";

/** What discovery reads of the config: which files, where the build writes, how big a file may be. */
export type DiscoverConfig = Pick<ResolvedConfig, "contentDir" | "outDir" | "cacheDir" | "include" | "exclude" | "limits">;

/**
 * Finds every postmortem under the content folder (or `contentDir`, a folder given to `check`),
 * sorted by path: the files `include` matches and `exclude` does not, both relative to that
 * folder. Never the output or cache folder (with `content: "."` they are inside it),
 * `node_modules` or a dot-folder. A file over `limits.fileBytes` is measured, not read.
 */
export async function discover(config: DiscoverConfig, contentDir: string = config.contentDir, stamps?: TextStamps): Promise<SourceFile[]> {
  const stat = await fs.stat(contentDir).catch(() => undefined);
  if (!stat?.isDirectory()) {
    throw new UsageError(`Content folder not found: ${contentDir} (set it with --content DIR)`);
  }
  const maxBytes = config.limits.fileBytes;
  const relPaths = await fg([...config.include], {
    cwd: contentDir,
    caseSensitiveMatch: false,
    onlyFiles: true,
    // Dot-files and dot-folders (.git, .cache, .github) are never postmortems.
    dot: false,
    // Symlinks could reach outside the content folder; postmortems are plain files.
    followSymbolicLinks: false,
    ignore: ["**/node_modules/**", ...buildFolders(config, contentDir), ...config.exclude],
  }).catch((error: unknown) => {
    throw new IOError(`Cannot list the postmortems in ${contentDir}`, { cause: error });
  });
  relPaths.sort(comparePaths);
  // A file whose stamp says it is as a build read it is not read again (see cache/stamps.ts).
  const known = relPaths.map((relPath) => stamps?.known(path.join(contentDir, relPath)));
  const toRead = relPaths.filter((_, i) => known[i] === undefined);
  const texts = readTexts(
    toRead.map((relPath) => path.join(contentDir, relPath)),
    { maxBytes },
  );
  const sources: SourceFile[] = [];
  for (const [i, relPath] of relPaths.entries()) {
    const absolute = path.join(contentDir, relPath);
    const textKey = known[i];
    if (textKey !== undefined) {
      sources.push({ path: absolute, relPath, text: "", textKey, unread: true });
      continue;
    }
    // One text per file read, in order.
    const read = await texts.next();
    if (read.done) throw new InternalError(`${relPath} was to be read, and the reader had no text left`);
    const source = sourceFrom(absolute, relPath, read.value);
    if (source.tooBig !== undefined || !stamps) sources.push(source);
    else {
      // Keyed, and let go: it is read again if it is to be processed (100,000 texts are 500 MB,
      // held until each was processed), and not at all if the cache has its record.
      const textKey = contentKey(source.text);
      stamps.note(absolute, textKey);
      sources.push({ path: absolute, relPath, text: "", textKey, unread: true });
    }
  }
  stamps?.save();
  return sources;
}

/** The text of a file discovery did not read (its stamp was unchanged), read now to process it. */
export function readUnread(source: SourceFile, maxBytes: number): SourceFile {
  if (!source.unread) return source;
  return sourceFrom(source.path, source.relPath, readOrError(source.path, maxBytes));
}

/** The output and cache folders as globs relative to `contentDir`, when they are inside it. */
function buildFolders(config: DiscoverConfig, contentDir: string): string[] {
  return [config.outDir, config.cacheDir]
    .filter((dir) => dir !== contentDir && isInside(dir, contentDir))
    .map((dir) => path.relative(contentDir, dir))
    .map((rel) => `${fg.escapePath(rel.split(path.sep).join("/"))}/**`);
}

function sourceOf(absolute: string, relPath: string, text: string): SourceFile {
  return { path: absolute, relPath, text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
}

/** Reads one postmortem file relative to the content folder (not when it is over `maxBytes`). */
export function readSource(contentDir: string, relPath: string, maxBytes?: number): SourceFile {
  const absolute = path.join(contentDir, relPath);
  return sourceFrom(absolute, relPath, readOrError(absolute, maxBytes));
}

/** A postmortem file as read: its text, or its size when it is too big to read; a file that cannot be read ends the run. */
function sourceFrom(absolute: string, relPath: string, read: ReadText): SourceFile {
  if (read.ok) return sourceOf(absolute, relPath, read.value);
  if (read.error instanceof TooBig) return { path: absolute, relPath, text: "", tooBig: read.error.bytes };
  throw new IOError(`Cannot read ${absolute}`, { cause: read.error });
}

function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
