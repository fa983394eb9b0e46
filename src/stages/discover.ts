import fs from "node:fs/promises";
import path from "node:path";
import fg from "fast-glob";
import pLimit from "p-limit";
import { IOError, UsageError } from "../errors.js";
import type { SourceFile } from "../types.js";

const READ_CONCURRENCY = 64;

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
  // A bounded number of files open at once: archives outgrow the open-file limit.
  const limit = pLimit(READ_CONCURRENCY);
  return Promise.all(relPaths.map((relPath) => limit(() => readSource(contentDir, relPath))));
}

/** Reads one postmortem file relative to the content folder. */
export async function readSource(contentDir: string, relPath: string): Promise<SourceFile> {
  const absolute = path.join(contentDir, relPath);
  try {
    const text = await fs.readFile(absolute, "utf8");
    return { path: absolute, relPath, text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
  } catch (error) {
    throw new IOError(`Cannot read ${absolute}`, { cause: error });
  }
}

function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
