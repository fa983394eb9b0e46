import { readFileSync } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import fg from "fast-glob";
import pLimit from "p-limit";
import { IOError, UsageError } from "../errors.js";
import type { SourceFile } from "../types.js";

/** Finds every postmortem (`*.md`, `*.markdown`, any depth) under the content folder, sorted by path. */
export async function discover(contentDir: string): Promise<SourceFile[]> {
  const stat = await fs.stat(contentDir).catch(() => undefined);
  if (!stat?.isDirectory()) {
    throw new UsageError(`Content folder not found: ${contentDir} (set it with --content DIR)`);
  }
  const relPaths = await fg("**/*.{md,markdown}", {
    cwd: contentDir,
    caseSensitiveMatch: false,
    onlyFiles: true,
    // Symlinks could reach outside the content folder; postmortems are plain files.
    followSymbolicLinks: false,
    ignore: ["**/node_modules/**"],
  }).catch((error: unknown) => {
    throw new IOError(`Cannot list the postmortems in ${contentDir}`, { cause: error });
  });
  relPaths.sort(comparePaths);
  // Files in the page cache are read one after another, synchronously: several times faster
  // than reads in flight on the thread pool (open, stat, read and close each a round trip).
  // Files on a cold disk are read many at once, so that their waits overlap.
  const sources: SourceFile[] = [];
  const started = performance.now();
  for (const relPath of relPaths) {
    sources.push(readSource(contentDir, relPath));
    if (sources.length === PROBE_FILES && performance.now() - started > PROBE_FILES * COLD_READ_MS) break;
  }
  const limit = pLimit(READ_CONCURRENCY);
  const rest = await Promise.all(relPaths.slice(sources.length).map((relPath) => limit(() => readSourceAsync(contentDir, relPath))));
  return sources.concat(rest);
}

/** Files read before deciding whether the disk is cold. */
const PROBE_FILES = 64;
/** A read slower than this, on average, is from the disk, not from the page cache. */
const COLD_READ_MS = 0.1;
/** Reads in flight on a cold disk: a bounded number of files open at once. */
const READ_CONCURRENCY = 64;

async function readSourceAsync(contentDir: string, relPath: string): Promise<SourceFile> {
  const absolute = path.join(contentDir, relPath);
  try {
    return sourceOf(absolute, relPath, await fs.readFile(absolute, "utf8"));
  } catch (error) {
    throw new IOError(`Cannot read ${absolute}`, { cause: error });
  }
}

function sourceOf(absolute: string, relPath: string, text: string): SourceFile {
  return { path: absolute, relPath, text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
}

/** Reads one postmortem file relative to the content folder. */
export function readSource(contentDir: string, relPath: string): SourceFile {
  const absolute = path.join(contentDir, relPath);
  try {
    return sourceOf(absolute, relPath, readFileSync(absolute, "utf8"));
  } catch (error) {
    throw new IOError(`Cannot read ${absolute}`, { cause: error });
  }
}

function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
