import { cacheKey } from "../cache/keys.js";
import fs from "node:fs/promises";
import path from "node:path";
import type { Output } from "../types.js";

/** The public folder's state, as far as a copy of it goes: every file's path, size and time. */
export async function publicFingerprint(publicDir: string): Promise<string> {
  const entries = await fs.readdir(publicDir, { recursive: true, withFileTypes: true }).catch(() => []);
  const files = await Promise.all(
    entries.map(async (entry) => {
      const file = path.join(entry.parentPath, entry.name);
      const stat = await fs.lstat(file);
      return `${path.relative(publicDir, file)}\0${stat.isSymbolicLink() ? "link" : stat.size}\0${stat.mtimeMs}`;
    }),
  );
  return cacheKey("public", files.sort());
}

/** Copies public/ into the staging folder, leaving out what generated files replace. */
export async function copyPublic(publicDir: string, staging: string, files: readonly Output[]): Promise<void> {
  const exists = await fs.stat(publicDir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!exists) return;
  // Generated files win: a public file where a generated folder goes (public/services) or a
  // public folder where a generated file goes (public/index.html/) is left out, not a failure.
  const generated = new Set(files.map((f) => path.posix.normalize(f.path)));
  const generatedDirs = new Set(
    [...generated].flatMap((f) =>
      f
        .split("/")
        .slice(0, -1)
        .map((_, i, parts) => parts.slice(0, i + 1).join("/")),
    ),
  );
  await fs.cp(publicDir, staging, {
    recursive: true,
    dereference: false,
    filter: async (src) => {
      const rel = path.relative(publicDir, src).split(path.sep).join("/");
      const stat = await fs.lstat(src);
      // Symlinks are not followed: public/ must not carry files from elsewhere on the machine.
      if (stat.isSymbolicLink()) return false;
      if (stat.isDirectory()) return !generated.has(rel);
      return !generatedDirs.has(rel);
    },
  });
}
