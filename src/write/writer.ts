import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { workerEnv } from "../util/debug.js";
import type { BatchAnswer, BatchFile, WriteBatch } from "./writer-thread.js";

const encoder = new TextEncoder();

/** Bytes of a buffer that batches are made in: kept, and used again once its thread sends it back. A file bigger goes in parts. */
const BUFFER_BYTES = 512 * 1024;
/** Bytes of files in a batch, past which it is sent. */
const BATCH_BYTES = 256 * 1024;
/** Bytes of buffers sent and not yet written, past which `room` waits: the thread only needs to be a few pages ahead. */
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

/** A batch being filled: its buffer, the bytes used, and the files whose bytes are in it. */
interface Batch {
  readonly buffer: ArrayBuffer;
  readonly bytes: Uint8Array;
  used: number;
  readonly files: BatchFile[];
}

/** The bytes of the buffers sent to threads and not yet sent back. */
const waiting = (threads: readonly Thread[]) => threads.reduce((bytes, { sizes }) => sizes.reduce((sum, size) => sum + size, bytes), 0);

/**
 * Writes files in threads of their own, while this one makes the next: a cold build's write was
 * half making pages and half the system calls that write them, one after the other on one core
 * of two. Files are encoded into a batch's buffer, and each batch is moved, without a copy, to
 * the thread with the fewest bytes waiting, which moves the buffer back once it has written the
 * files: the buffers are made once and used again. A page encoded into a buffer of its own was
 * memory outside the heap for every page written (2.8 GB at 100,000 postmortems), freed only by
 * the writing thread's next collection. At most `MAX_PENDING_BYTES` wait at once (`room`).
 * Every file is written by `close`, which throws the first error; after an error, nothing more
 * is written.
 */
export class PageWriter {
  private readonly threads: Thread[];
  private readonly free: ArrayBuffer[] = [];
  private made = 0;
  private batch: Batch | undefined;
  private failure: WriteFailed | Error | undefined;
  private wake: (() => void) | undefined;
  private stopped = false;

  constructor() {
    this.threads = Array.from({ length: THREADS }, () => this.start());
  }

  /**
   * Sends a file to be written: its text encoded as UTF-8, or its bytes copied, into a batch; one
   * bigger than what is left of the batch goes in parts, a buffer at a time. Gives its size.
   */
  write(file: string, contents: string | Uint8Array): number {
    let batch = this.open();
    let size = this.put(batch, contents);
    if (size === undefined) {
      // Not in what is left of this batch: in the next one, whole, unless it is bigger than a buffer.
      this.flush();
      batch = this.open();
      size = this.put(batch, contents);
    }
    if (size !== undefined) {
      this.add(batch, file, size, false);
      if (batch.used >= BATCH_BYTES) this.flush();
      return size;
    }
    const thread = this.leastWaiting();
    const progress = { size: 0, begun: false };
    const parts = this.parts(file, contents, thread, progress);
    while (!parts.next().done);
    this.flush(thread);
    return progress.size;
  }

  /**
   * Sends a long text, or one in pieces, to be written in parts, every part to the same thread,
   * in order: it is never encoded whole, and at 100,000 postmortems the lists of a service or a
   * tag (87 pages, 780 MB) were seconds of this thread's time. Gives the file's size.
   */
  async writeLong(file: string, contents: string | Iterable<string>): Promise<number> {
    this.flush();
    const thread = this.leastWaiting();
    const progress = { size: 0, begun: false };
    for (const piece of typeof contents === "string" ? [contents] : contents) {
      const parts = this.parts(file, piece, thread, progress);
      while (!parts.next().done) await this.room();
    }
    // An empty text is an empty file.
    if (!progress.begun) this.add(this.open(), file, 0, false);
    this.flush(thread);
    return progress.size;
  }

  /** The buffers made so far: a few, however much is written, since each is used again. */
  get buffers(): number {
    return this.made;
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
      // It holds no page: their bytes are in the buffers it is sent.
      resourceLimits: { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 64 },
    });
    const thread: Thread = { worker, sizes: [] };
    worker.on("message", ({ buffer, error }: BatchAnswer) => {
      thread.sizes.shift();
      this.free.push(buffer);
      if (error) this.failure ??= new WriteFailed(error.file, error.message, error.code);
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

  /** The batch being filled, or a new one in a free buffer. */
  private open(): Batch {
    this.batch ??= this.make(this.free.pop() ?? this.allocate());
    return this.batch;
  }

  private allocate(): ArrayBuffer {
    this.made++;
    return new ArrayBuffer(BUFFER_BYTES);
  }

  private make(buffer: ArrayBuffer): Batch {
    return { buffer, bytes: new Uint8Array(buffer), used: 0, files: [] };
  }

  /** Puts a file's bytes after the batch's, whole: their size, or undefined when they do not fit. */
  private put(batch: Batch, contents: string | Uint8Array): number | undefined {
    const room = batch.bytes.subarray(batch.used);
    if (typeof contents !== "string") {
      if (contents.byteLength > room.byteLength) return undefined;
      room.set(contents);
      return contents.byteLength;
    }
    const { read, written } = encoder.encodeInto(contents, room);
    return read === contents.length ? written : undefined;
  }

  /** Counts `size` bytes put after the batch's as the file's (the next part of it when `append`). */
  private add(batch: Batch, file: string, size: number, append: boolean): void {
    const last = batch.files.at(-1);
    // The part before, in the same buffer: one write, not one per piece of a text in pieces.
    if (append && last?.file === file && last.end === batch.used) batch.files[batch.files.length - 1] = { ...last, end: last.end + size };
    else batch.files.push({ file, start: batch.used, end: batch.used + size, append });
    batch.used += size;
  }

  /**
   * Puts a file's contents into batches as far as each has room (a four-byte character is never
   * cut), every full batch sent to `thread`; yields after each one sent. `progress` counts the
   * bytes, and whether the file was begun (the parts after the first are appended to it).
   */
  private *parts(file: string, contents: string | Uint8Array, thread: Thread, progress: { size: number; begun: boolean }): Generator<void> {
    let rest = contents;
    for (;;) {
      const batch = this.open();
      const room = batch.bytes.subarray(batch.used);
      let read: number;
      let written: number;
      if (typeof rest === "string") ({ read, written } = encoder.encodeInto(rest, room));
      else {
        written = read = Math.min(rest.byteLength, room.byteLength);
        room.set(rest.subarray(0, written));
      }
      this.add(batch, file, written, progress.begun);
      progress.size += written;
      progress.begun = true;
      rest = typeof rest === "string" ? rest.slice(read) : rest.subarray(read);
      const more = (typeof rest === "string" ? rest.length : rest.byteLength) > 0;
      if (more || batch.used >= BATCH_BYTES) {
        this.flush(thread);
        yield;
      }
      if (!more) return;
    }
  }

  private leastWaiting(): Thread {
    return this.threads.reduce((least, other) => (waiting([other]) < waiting([least]) ? other : least));
  }

  /** Moves the batch being filled to a thread (the least busy, unless one is given), without a copy. */
  private flush(thread = this.leastWaiting()): void {
    const batch = this.batch;
    if (!batch) return;
    this.batch = undefined;
    if (batch.files.length === 0) {
      this.free.push(batch.buffer);
      return;
    }
    // Its whole buffer, used or not: what waits is the memory held. Counted before it is sent: a buffer moved to a thread is empty here.
    thread.sizes.push(batch.buffer.byteLength);
    thread.worker.postMessage({ buffer: batch.buffer, files: batch.files } satisfies WriteBatch, [batch.buffer]);
  }

  private answer(): Promise<void> {
    return new Promise((resolve) => (this.wake = resolve));
  }
}
