import fs from "node:fs/promises";
import path from "node:path";
import fg from "fast-glob";
import { IOError, UsageError } from "../errors.js";
import type { SourceFile } from "../types.js";
import { readOrError, readTexts, TooBig } from "../util/read-texts.js";

/** Finds every postmortem (`*.md`, `*.markdown`, any depth) under the content folder, sorted by path. */
export async function discover(contentDir: string, maxBytes?: number): Promise<SourceFile[]> {
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
  const sources: SourceFile[] = [];
  for await (const text of readTexts(relPaths.map((relPath) => path.join(contentDir, relPath)), { maxBytes })) {
    const relPath = relPaths[sources.length]!;
    const absolute = path.join(contentDir, relPath);
    if (text instanceof Error) throw new IOError(`Cannot read ${absolute}`, { cause: text });
    sources.push(text instanceof TooBig ? { path: absolute, relPath, text: "", tooBig: text.bytes } : sourceOf(absolute, relPath, text));
  }
  return sources;
}

function sourceOf(absolute: string, relPath: string, text: string): SourceFile {
  return { path: absolute, relPath, text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
}

/** Reads one postmortem file relative to the content folder (not when it is over `maxBytes`). */
export function readSource(contentDir: string, relPath: string, maxBytes?: number): SourceFile {
  const absolute = path.join(contentDir, relPath);
  const text = readOrError(absolute, maxBytes);
  if (text instanceof Error) throw new IOError(`Cannot read ${absolute}`, { cause: text });
  return text instanceof TooBig ? { path: absolute, relPath, text: "", tooBig: text.bytes } : sourceOf(absolute, relPath, text);
}

function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
