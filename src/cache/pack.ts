import fs from "node:fs";
import path from "node:path";
import { debug } from "../util/debug.js";

/**
 * Bytes of lines gathered before they are written out: a few hundred records. Gathered as bytes,
 * not strings: a string kept until the flush outlives the young generation, and 100,000 lines
 * left as garbage in the old one made the heap grow by hundreds of MB before it was collected.
 */
const FLUSH_BYTES = 1 << 20;

const NEWLINE = Buffer.from("\n");

/**
 * Stale lines (of records no build uses any more) the pack may hold, as a share of the lines in
 * use, before it is written again without them: an edit to one postmortem appends its line
 * instead of rewriting 36 MB at 10,000, and the pack stays within a quarter of its size.
 */
const STALE_SHARE = 0.25;

/**
 * The first lines of the record cache's entries (see records.ts), all in one file,
 * `.cache/records.build.pack` (`check` has its own): a build reads one file instead of one per postmortem, which on a disk
 * whose page cache was dropped is seconds at 10,000. Each line is an entry's first line as it
 * is in its own file, so it is checked the same way when used; the entry's file stays the
 * truth (and holds the body). A line is found by the key at its start, behind `prefix`; where
 * a key has two lines, the later one counts. A build appends the lines it adds, and writes the
 * pack again (its lines in use only) once stale lines pass STALE_SHARE of them.
 */
export class HeadPack {
  /** The keys taken from the pack by this build, to copy their lines into the next one. */
  private readonly taken = new Set<string>();
  private out: { fd: number; tmp: string; buffer: Buffer; bytes: number; lines: number } | undefined;
  /** The lines of the pack as `read` found it, well-formed or not; undefined when it was not read. */
  private readLines: number | undefined;

  constructor(
    private readonly file: string,
    private readonly prefix: string,
    private readonly writable = true,
  ) {}

  /**
   * The lines of these keys that the pack has, each decoded when asked for (100,000 lines are
   * 360 MB of text: one at a time, not all at once). Nothing when there is no pack or it cannot be read.
   */
  read(keys: ReadonlySet<string>): Map<string, () => string> {
    const found = new Map<string, () => string>();
    this.readLines = this.lines((key, bytes, start, end) => {
      // The later line of a key is the newer (appended by a later build).
      if (keys.has(key)) found.set(key, () => bytes.toString("utf8", start, end));
    });
    return found;
  }

  /** Marks a line read from the pack as used by this build (it is copied into the next pack). */
  took(key: string): void {
    this.taken.add(key);
  }

  /** Adds a line not taken from the pack (a record made or read from its own file now). */
  add(line: string): void {
    if (!this.writable) return;
    try {
      if (!this.out) {
        fs.mkdirSync(path.dirname(this.file), { recursive: true });
        const tmp = `${this.file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
        this.out = { fd: fs.openSync(tmp, "w"), tmp, buffer: Buffer.allocUnsafe(FLUSH_BYTES), bytes: 0, lines: 0 };
      }
      this.put(`${line}\n`);
      this.out.lines++;
    } catch (error) {
      debug("cache", "the pack of records could not be written (the next build reads each entry's file)", error);
      this.discard();
    }
  }

  /**
   * Makes the pack this build's: the lines it added are appended, or, when the old pack has too
   * many stale lines (or was not read), it is written again with the lines this build took from
   * it and those added. When it added none, the old pack already has every line it used, and
   * stays. True when it was written again: the time to prune the entries too.
   */
  commit(): boolean {
    if (!this.out) return false;
    try {
      const stale = this.readLines === undefined ? Infinity : this.readLines - this.taken.size;
      if (this.readLines !== 0 && stale <= STALE_SHARE * (this.taken.size + this.out.lines)) {
        this.append(this.out);
        return false;
      }
      // The last line of each key taken, as `read` took it: where it is in the old pack's bytes.
      let old: Buffer = Buffer.alloc(0);
      const last = new Map<string, readonly [number, number]>();
      this.lines((key, bytes, start, end) => {
        if (!this.taken.has(key)) return;
        old = bytes;
        last.set(key, [start, end]);
      });
      for (const [start, end] of last.values()) {
        this.put(old.subarray(start, end));
        this.put(NEWLINE);
      }
      this.flush();
      fs.closeSync(this.out.fd);
      fs.renameSync(this.out.tmp, this.file);
      this.out = undefined;
      return true;
    } catch (error) {
      debug("cache", "the pack of records could not be written (the next build reads each entry's file)", error);
      this.discard();
      return false;
    }
  }

  /**
   * Appends the lines added (gathered in the temporary file) to the pack, in one write, after a
   * line break if a build that stopped mid-write left the last line cut: the cut line is then
   * one line that is not well-formed, and ignored.
   */
  private append(out: NonNullable<HeadPack["out"]>): void {
    this.flush();
    fs.closeSync(out.fd);
    const added = fs.readFileSync(out.tmp);
    fs.rmSync(out.tmp, { force: true });
    this.out = undefined;
    const fd = fs.openSync(this.file, "a+");
    try {
      const { size } = fs.fstatSync(fd);
      const last = Buffer.alloc(1);
      const cut = size > 0 && fs.readSync(fd, last, 0, 1, size - 1) === 1 && last[0] !== 0x0a;
      fs.writeSync(fd, cut ? Buffer.concat([Buffer.from("\n"), added]) : added);
    } finally {
      fs.closeSync(fd);
    }
  }

  /**
   * Calls `each` with every well-formed line of the pack (whole, and of this schema): its key and
   * where it is in the bytes. Gives how many lines the pack has, well-formed or not.
   */
  private lines(each: (key: string, bytes: Buffer, start: number, end: number) => void): number {
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(this.file);
    } catch (error) {
      debug("cache", "no pack of records, or one that cannot be read: each entry's file is read", error);
      return 0;
    }
    const keyLength = 64;
    let lines = 0;
    for (let start = 0; start < bytes.length;) {
      const newline = bytes.indexOf(0x0a, start);
      const end = newline < 0 ? bytes.length : newline;
      if (end > start) lines++;
      const keyStart = start + this.prefix.length;
      // A line that does not end its JSON object was cut (a build stopped while writing it).
      if (end > keyStart + keyLength && bytes[end - 1] === 0x7d && bytes.toString("latin1", start, keyStart) === this.prefix) {
        each(bytes.toString("latin1", keyStart, keyStart + keyLength), bytes, start, end);
      }
      start = end + 1;
    }
    return lines;
  }

  /** Adds to the bytes gathered, written out first when they would not fit (and at once when bigger). */
  private put(text: string | Uint8Array): void {
    if (!this.out) return;
    const bytes = typeof text === "string" ? Buffer.from(text) : text;
    if (this.out.bytes + bytes.byteLength > FLUSH_BYTES) this.flush();
    if (bytes.byteLength > FLUSH_BYTES) fs.writeSync(this.out.fd, bytes);
    else {
      this.out.buffer.set(bytes, this.out.bytes);
      this.out.bytes += bytes.byteLength;
    }
  }

  private flush(): void {
    if (!this.out || this.out.bytes === 0) return;
    fs.writeSync(this.out.fd, this.out.buffer, 0, this.out.bytes);
    this.out.bytes = 0;
  }

  /** Throws away the pack being made (a build that failed); the old one stays. */
  discard(): void {
    if (!this.out) return;
    try {
      fs.closeSync(this.out.fd);
    } catch (error) {
      debug("cache", "the unfinished pack was closed already", error);
    }
    fs.rmSync(this.out.tmp, { force: true });
    this.out = undefined;
  }
}
