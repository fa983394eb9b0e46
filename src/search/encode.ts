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
    if (this.length === this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    this.bytes[this.length++] = value;
  }

  /** Appends raw bytes. */
  raw(values: Uint8Array): void {
    for (const b of values) this.byte(b);
  }

  /** Appends UTF-8 text, length first. */
  text(value: string): void {
    const encoded = new TextEncoder().encode(value);
    this.varint(encoded.length);
    for (const b of encoded) this.byte(b);
  }

  /** The bytes written. */
  done(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}
