// The thread of a `PageWriter` (see writer.ts): writes the files of each batch it is sent, and
// answers with the batch's buffer (moved back, for the next batch) and the first error once one
// failed (the batches after it are not written).
import fs from "node:fs";
import path from "node:path";
import { parentPort } from "node:worker_threads";
import { InternalError } from "../errors.js";
import { writeContents } from "./job.js";

/** Where one file's bytes are in a batch's buffer; `append` adds them to a file this thread began (a long text, in parts). */
export interface BatchFile {
  readonly file: string;
  readonly start: number;
  readonly end: number;
  readonly append: boolean;
}

/** A batch: one buffer, moved here and back without a copy, and the files whose bytes it holds (absolute paths). */
export interface WriteBatch {
  readonly buffer: ArrayBuffer;
  readonly files: readonly BatchFile[];
}

/** What stopped the writing: the error's message and code, and the file. */
export interface WriteError {
  readonly message: string;
  readonly code: string | undefined;
  readonly file: string;
}

/** The answer to a batch: its buffer, and the error that stopped the writing, if one did. */
export interface BatchAnswer {
  readonly buffer: ArrayBuffer;
  readonly error: WriteError | undefined;
}

const port = parentPort;
if (!port) throw new InternalError("the page writer's thread was started as a script");
const made = new Set<string>();
let failed: WriteError | undefined;

port.on("message", ({ buffer, files }: WriteBatch) => {
  if (!failed) {
    for (const { file, start, end, append } of files) {
      try {
        const bytes = new Uint8Array(buffer, start, end - start);
        if (append) {
          fs.appendFileSync(file, bytes);
          continue;
        }
        const dir = path.dirname(file);
        if (!made.has(dir)) {
          fs.mkdirSync(dir, { recursive: true });
          made.add(dir);
        }
        writeContents(file, bytes);
      } catch (error) {
        failed = { message: (error as Error).message, code: (error as NodeJS.ErrnoException).code, file };
        break;
      }
    }
  }
  port.postMessage({ buffer, error: failed } satisfies BatchAnswer, [buffer]);
});
