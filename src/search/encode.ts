const encoder = new TextEncoder();

/** A growable byte buffer with LEB128 varints: the search index's binary chunk format. */
export class ByteWriter {
  private bytes = new Uint8Array(4096);
  private length = 0;

  /** Bytes written so far. */
  get size(): number {
    return this.length;
  }

  /** Appends an unsigned integer as a varint (7 bits a byte, low first). */
  varint(value: number): void {
    let v = value;
    while (v >= 0x80) {
      this.byte((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    this.byte(v);
  }

  /** Appends one byte. */
  byte(value: number): void {
    if (this.length === this.bytes.length) this.grow(1);
    this.bytes[this.length++] = value;
  }

  /** Appends raw bytes. */
  raw(values: Uint8Array): void {
    if (this.length + values.length > this.bytes.length) this.grow(values.length);
    this.bytes.set(values, this.length);
    this.length += values.length;
  }

  /** Appends UTF-8 text, length first. */
  text(value: string): void {
    const encoded = encoder.encode(value);
    this.varint(encoded.length);
    this.raw(encoded);
  }

  /** The bytes written, as a copy. */
  done(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }

  /** The bytes written, without a copy: valid until the next write. */
  view(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }

  /** Starts again from nothing, keeping the buffer: one writer can serve many short blocks. */
  reset(): void {
    this.length = 0;
  }

  private grow(needed: number): void {
    let capacity = this.bytes.length * 2;
    while (capacity < this.length + needed) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }
}
