import path from "node:path";
import { HindsightError } from "../errors.js";

/**
 * Whether `file` is `dir` or under it: the project's one path-containment test. Both paths must
 * be absolute and normalised (as `path.resolve` gives them), or, with `separator` `/`, POSIX
 * paths relative to one folder (`.` is every such path's folder).
 */
export function isInside(file: string, dir: string, separator: string = path.sep): boolean {
  if (separator === "/" && dir === ".") return !path.posix.isAbsolute(file) && file !== ".." && !file.startsWith("../");
  return file === dir || file.startsWith(dir.endsWith(separator) ? dir : dir + separator);
}

/** Whether a relative output path stays inside `dir` (no `..` out of it, not absolute, not `dir` itself). */
export function staysInside(dir: string, relative: string): boolean {
  if (path.isAbsolute(relative) || relative.includes("\0")) return false;
  const resolved = path.resolve(dir, relative);
  return resolved !== dir && isInside(resolved, dir);
}

/** The absolute path of an output file, refusing any path that would leave the output folder. */
export function insideOf(dir: string, relative: string): string {
  if (!staysInside(dir, relative)) throw new HindsightError(`Refusing to write outside the output folder: ${relative}`);
  return path.resolve(dir, relative);
}
