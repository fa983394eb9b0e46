import fs from "node:fs";
import { debug } from "../util/debug.js";

/** A cached file's bytes, or undefined when it cannot be read: a miss, never an error. */
export function readCached(file: string, what: string): Uint8Array | undefined {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    debug("cache", `${what} that cannot be read is a miss`, error);
    return undefined;
  }
}
