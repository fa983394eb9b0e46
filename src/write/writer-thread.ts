// The thread of a `PageWriter` (see writer.ts): writes the files it is sent, a batch at a time,
// and answers each batch, with the first error once one failed (the batches after it are not
// written).
import fs from "node:fs";
import path from "node:path";
import { parentPort } from "node:worker_threads";
import { InternalError } from "../errors.js";
import { writeContents } from "./job.js";

/** A batch of files to write: absolute paths and their bytes, or bytes to append to a file this thread began (a slice of a long text). */
export type WriteBatch = readonly { readonly file: string; readonly contents: Uint8Array; readonly append?: boolean }[];

/** The answer to a batch: written, or the error that stopped the writing (its message and code). */
export type BatchAnswer = { readonly ok: true } | { readonly ok: false; readonly message: string; readonly code: string | undefined; readonly file: string };

const port = parentPort;
if (!port) throw new InternalError("the page writer's thread was started as a script");
const made = new Set<string>();
let failed: BatchAnswer | undefined;

port.on("message", (batch: WriteBatch) => {
  if (!failed) {
    for (const { file, contents, append } of batch) {
      try {
        if (append) {
          fs.appendFileSync(file, contents);
          continue;
        }
        const dir = path.dirname(file);
        if (!made.has(dir)) {
          fs.mkdirSync(dir, { recursive: true });
          made.add(dir);
        }
        writeContents(file, contents);
      } catch (error) {
        failed = { ok: false, message: (error as Error).message, code: (error as NodeJS.ErrnoException).code, file };
        break;
      }
    }
  }
  port.postMessage(failed ?? { ok: true });
});
