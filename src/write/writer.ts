import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { workerEnv } from "../util/debug.js";
import { slicesOf } from "./job.js";
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
 * Threads that write: creating files and folders is the kernel's work, and with one thread the
 * other core sat idle while this one waited (at 10,000 postmortems, 21,000 files and 10,000
 * folders).
 */
const THREADS = Math.min(2, os.availableParallelism());

/** A writing thread, and the sizes of the batches it was sent and has not answered yet, oldest first. */
interface Thread {
  readonly worker: Worker;
  readonly sizes: number[];
}

/** The bytes sent to threads and not yet written. */
const waiting = (threads: readonly Thread[]) => threads.reduce((bytes, { sizes }) => sizes.reduce((sum, size) => sum + size, bytes), 0);

/**
 * Writes files in threads of their own, while this one makes the next: a cold build's write was
 * half making pages and half the system calls that write them, one after the other on one core
 * of two. Files are sent in batches, each to the thread with the fewest bytes waiting, and at
 * most `MAX_PENDING_BYTES` wait at once (`room`). Every file is written by `close`, which throws
 * the first error; after an error, nothing more is written.
 */
export class PageWriter {
  private readonly threads: Thread[];
  private batch: WriteBatch[number][] = [];
  private batchBytes = 0;
  private failure: WriteFailed | Error | undefined;
  private wake: (() => void) | undefined;
  private stopped = false;

  constructor() {
    this.threads = Array.from({ length: THREADS }, () => this.start());
  }

  /**
   * Sends a file to be written: its text encoded here as UTF-8, its bytes copied, either way into
   * a buffer of their own that moves to a thread without another copy. The threads' heaps
   * hold no page, and the bytes waiting are exactly those counted. Gives the file's size.
   */
  write(file: string, contents: string | Uint8Array): number {
    const bytes = typeof contents === "string" ? encoder.encode(contents) : new Uint8Array(contents);
    // Counted before it is sent: a buffer moved to a thread is empty here.
    const size = bytes.byteLength;
    this.batch.push({ file, contents: bytes });
    this.batchBytes += size;
    if (this.batchBytes >= BATCH_BYTES) this.flush();
    return size;
  }

  /**
   * Sends a long text, or one in pieces, to be written a slice at a time (see `slicesOf`), every
   * slice to the same thread, in order: it is never encoded whole, and at 100,000 postmortems
   * the lists of a service or a tag (87 pages, 780 MB) were seconds of this thread's time.
   * Gives the file's size.
   */
  async writeLong(file: string, contents: string | Iterable<string>): Promise<number> {
    this.flush();
    const thread = this.leastWaiting();
    let size = 0;
    let append = false;
    for (const slice of slicesOf(contents)) {
      const bytes = encoder.encode(slice);
      size += bytes.byteLength;
      this.send(thread, [{ file, contents: bytes, append }], bytes.byteLength);
      append = true;
      await this.room();
    }
    // An empty text is an empty file.
    if (!append) this.send(thread, [{ file, contents: new Uint8Array(0), append }], 0);
    return size;
  }

  /** Waits while too much is sent and not yet written; throws once a write failed. */
  async room(): Promise<void> {
    while (waiting(this.threads) > MAX_PENDING_BYTES && !this.failure) await this.answer();
    if (this.failure) throw this.failure;
  }

  /** Waits for every file sent to be written, then stops the threads; throws the first error. */
  async close(): Promise<void> {
    this.flush();
    try {
      while (this.threads.some((thread) => thread.sizes.length > 0) && !this.failure) await this.answer();
    } finally {
      await this.stop();
    }
    if (this.failure) throw this.failure;
  }

  /** Stops the threads now, written or not (the write failed here): once this resolves, they write nothing more. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.threads.map(({ worker }) => worker.terminate()));
  }

  private start(): Thread {
    // The compiled thread, whether this module runs compiled (.build/) or from src/ in tests.
    const worker = new Worker(pathToFileURL(path.resolve(import.meta.dirname, "..", "..", ".build", "write", "writer-thread.js")), {
      env: workerEnv(),
      // It holds a few MB of pages at a time: at 100,000 postmortems the build is near its peak of memory while it writes.
      resourceLimits: { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 64 },
    });
    const thread: Thread = { worker, sizes: [] };
    worker.on("message", (answer: BatchAnswer) => {
      thread.sizes.shift();
      if (!answer.ok) this.failure ??= new WriteFailed(answer.file, answer.message, answer.code);
      this.wake?.();
    });
    worker.on("error", (error) => {
      this.failure ??= error;
      this.wake?.();
    });
    // Stopped without a word (killed, or out of memory): whatever waits for it must not wait forever.
    worker.on("exit", (code) => {
      if (!this.stopped) this.failure ??= new Error(`The page writer's thread stopped (exit code ${code})`);
      this.wake?.();
    });
    return thread;
  }

  private flush(): void {
    if (this.batch.length === 0) return;
    this.send(this.leastWaiting(), this.batch, this.batchBytes);
    this.batch = [];
    this.batchBytes = 0;
  }

  private leastWaiting(): Thread {
    return this.threads.reduce((least, other) => (waiting([other]) < waiting([least]) ? other : least));
  }

  /** Moves a batch's buffers to a thread, without a copy. */
  private send(thread: Thread, batch: WriteBatch, bytes: number): void {
    thread.worker.postMessage(
      batch,
      batch.map(({ contents }) => contents.buffer as ArrayBuffer),
    );
    thread.sizes.push(bytes);
  }

  private answer(): Promise<void> {
    return new Promise((resolve) => (this.wake = resolve));
  }
}
