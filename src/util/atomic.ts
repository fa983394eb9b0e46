import fs from "node:fs";
import path from "node:path";

/**
 * Writes a file so that no reader, another build included, ever sees half of it: written
 * beside under a unique name, then renamed over the old one. Makes the folder if needed.
 */
export function writeFileAtomic(file: string, contents: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    fs.writeFileSync(temp, contents);
    fs.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
}
