import fs from "node:fs";
import path from "node:path";

/** The compiled code, whether the caller runs compiled (from .build/) or from src/ in tests. */
const BUILD = path.resolve(import.meta.dirname, "..", "..", ".build");

/**
 * A compiled browser module of one concern, by the name the browser asks for: from
 * .build/client/<concern>/, else from .build/shared/<concern>/. The browser gets the two folders
 * as one (tsconfig.client.json's rootDirs), so a client module imports a shared one as a sibling.
 */
export function readClientModule(concern: "search" | "dev", name: string): Buffer {
  const own = path.join(BUILD, "client", concern, name);
  return fs.readFileSync(fs.existsSync(own) ? own : path.join(BUILD, "shared", concern, name));
}
