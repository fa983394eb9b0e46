import path from "node:path";
import { HindsightError } from "../errors.js";

/** Whether a relative output path stays inside `dir` (no `..` out of it, not absolute). */
export function staysInside(dir: string, relative: string): boolean {
  return !path.isAbsolute(relative) && !relative.includes("\0") && path.resolve(dir, relative).startsWith(dir + path.sep);
}

/** The absolute path of an output file, refusing any path that would leave the output folder. */
export function insideOf(dir: string, relative: string): string {
  if (!staysInside(dir, relative)) throw new HindsightError(`Refusing to write outside the output folder: ${relative}`);
  return path.resolve(dir, relative);
}
