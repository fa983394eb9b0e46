import path from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { workerEnv } from "../util/debug.js";
import type { BatchAnswer, WriteBatch } from "./writer-thread.js";

const encoder = new TextEncoder();

/** Bytes of files sent in one message. */
const BATCH_BYTES = 256 * 1024;
/** Bytes sent and not yet written, past which `room` waits: the thread only needs to be a few pages ahead. */
const MAX_PENDING_BYTES = 8 * 1024 * 1024;

/** An error of the page writer's thread, as it was thrown there (its message and code). */
export class WriteFailed extends Error {
  constructor(
    readonly file: string,
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/**
 * Writes files in a thread of its own, while this one makes the next: a cold build's write was
 * half making pages and half the system calls that write them, one after the other on one core
 * of two. Files are sent in batches, and at most `MAX_PENDING_BYTES` wait at once (`room`).
 * Every file is written by `close`, which throws the first error; after an error, nothing more
 * is written.
 */
export class PageWriter {
  private readonly thread: Worker;
  private batch: { file: string; contents: Uint8Array }[] = [];
  private batchBytes = 0;
  private pendingBytes = 0;
  private readonly sizes: number[] = [];
  private failure: WriteFailed | Error | undefined;
  private wake: (() => void) | undefined;
  private stopped = false;

  constructor() {
    // The compiled thread, whether this module runs compiled (.build/) or from src/ in tests.
    this.thread = new Worker(pathToFileURL(path.resolve(import.meta.dirname, "..", "..", ".build", "write", "writer-thread.js")), {
      env: workerEnv(),
      // It holds a few MB of pages at a time: at 100,000 postmortems the build is near its peak of memory while it writes.
      resourceLimits: { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 64 },
    });
    this.thread.on("message", (answer: BatchAnswer) => {
      this.pendingBytes -= this.sizes.shift() ?? 0;
      if (!answer.ok) this.failure ??= new WriteFailed(answer.file, answer.message, answer.code);
      this.wake?.();
    });
    this.thread.on("error", (error) => {
      this.failure ??= error;
      this.wake?.();
    });
    // Stopped without a word (killed, or out of memory): whatever waits for it must not wait forever.
    this.thread.on("exit", (code) => {
      if (!this.stopped) this.failure ??= new Error(`The page writer's thread stopped (exit code ${code})`);
      this.wake?.();
    });
  }

  /**
   * Sends a file to be written: its text encoded here as UTF-8, its bytes copied, either way into
   * a buffer of their own that moves to the thread without another copy. The thread's heap
   * holds no page, and the bytes waiting are exactly those counted. Gives the file's size.
   */
  write(file: string, contents: string | Uint8Array): number {
    const bytes = typeof contents === "string" ? encoder.encode(contents) : new Uint8Array(contents);
    // Counted before it is sent: a buffer moved to the thread is empty here.
    const size = bytes.byteLength;
    this.batch.push({ file, contents: bytes });
    this.batchBytes += size;
    if (this.batchBytes >= BATCH_BYTES) this.flush();
    return size;
  }

  /** Waits while too much is sent and not yet written; throws once a write failed. */
  async room(): Promise<void> {
    while (this.pendingBytes > MAX_PENDING_BYTES && !this.failure) await this.answer();
    if (this.failure) throw this.failure;
  }

  /** Waits for every file sent to be written, then stops the thread; throws the first error. */
  async close(): Promise<void> {
    this.flush();
    try {
      while (this.sizes.length > 0 && !this.failure) await this.answer();
    } finally {
      await this.stop();
    }
    if (this.failure) throw this.failure;
  }

  /** Stops the thread now, written or not (the write failed here): once this resolves, it writes nothing more. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.thread.terminate();
  }

  private flush(): void {
    if (this.batch.length === 0) return;
    this.thread.postMessage(
      this.batch satisfies WriteBatch,
      this.batch.map(({ contents }) => contents.buffer as ArrayBuffer),
    );
    this.sizes.push(this.batchBytes);
    this.pendingBytes += this.batchBytes;
    this.batch = [];
    this.batchBytes = 0;
  }

  private answer(): Promise<void> {
    return new Promise((resolve) => (this.wake = resolve));
  }
}
