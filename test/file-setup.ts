import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll } from "vitest";

// Both projects run their files one after another in the same process (isolate: false), so
// test/helpers.ts is imported once and its afterAll, which removes the temporary folders, is
// registered with the first file only. Each file gets a temporary folder of its own as TMPDIR
// (os.tmpdir() reads it on every call), removed when the file is done.
const previous = process.env.TMPDIR;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hindsight-file-"));
process.env.TMPDIR = dir;
afterAll(() => {
  if (previous === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = previous;
  fs.rmSync(dir, { recursive: true, force: true });
});
