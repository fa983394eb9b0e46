import fs from "node:fs";
import path from "node:path";

/**
 * Writes a file so that no reader, another build included, ever sees half of it: written
 * beside under a unique name, then renamed over the old one. Makes the folder if needed: each
 * time, or, given the set of folders made already, once per folder (a thread that writes
 * thousands of files into a few), and again if it was removed since.
 */
export function writeFileAtomic(file: string, contents: string | Uint8Array, made?: Set<string>): void {
  const dir = path.dirname(file);
  if (made?.has(dir)) {
    try {
      writeThenRename(file, contents);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      made.delete(dir);
    }
  }
  fs.mkdirSync(dir, { recursive: true });
  writeThenRename(file, contents);
  made?.add(dir);
}

function writeThenRename(file: string, contents: string | Uint8Array): void {
  const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    fs.writeFileSync(temp, contents);
    fs.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
}
