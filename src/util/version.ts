import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/** Hindsight's version, from its package.json (the same path from src/ and from .build/). */
export const VERSION: string = (JSON.parse(fs.readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;

let codeIdMemo: string | undefined;

/**
 * What cached work was made with: the version, Hindsight's own code (a fix without a new
 * version number counts too) and the installed dependencies (a sanitizer fix must reach every
 * cached page). Read once per process, and only by builds: `check` and `new` do not pay for it.
 */
export function codeId(): string {
  return (codeIdMemo ??= computeCodeId());
}

function computeCodeId(): string {
  const hash = createHash("sha256").update(VERSION);
  const codeDir = path.resolve(import.meta.dirname, "..");
  for (const entry of fs
    .readdirSync(codeDir, { recursive: true, withFileTypes: true })
    .sort((a, b) => (path.join(a.parentPath, a.name) < path.join(b.parentPath, b.name) ? -1 : 1))) {
    if (entry.isFile() && /\.(js|ts)$/.test(entry.name) && !entry.name.endsWith(".d.ts"))
      hash.update(entry.name).update(fs.readFileSync(path.join(entry.parentPath, entry.name)));
  }
  for (const lock of ["node_modules/.package-lock.json", "package-lock.json"]) {
    const file = path.resolve(codeDir, "..", lock);
    if (fs.existsSync(file)) hash.update(fs.readFileSync(file));
  }
  return hash.digest("hex").slice(0, 32);
}
