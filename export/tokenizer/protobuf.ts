// Just enough of the protobuf wire format to walk a SentencePiece ModelProto without a schema:
// callers switch on field numbers and skip what they do not know, as protobuf itself does.

/** Malformed wire data; the caller adds the file name. */
export class WireError extends Error {}

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_FIXED32 = 5;

// ignoreBOM: otherwise a piece that is U+FEFF (Llama-2 has one, id 30143) decodes as ''.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export class WireReader {
  private pos: number;
  private readonly view: DataView;

  constructor(
    private readonly buf: Uint8Array,
    start = 0,
    private readonly end = buf.length,
  ) {
    this.pos = start;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  get offset(): number {
    return this.pos;
  }

  /** Low 32 bits of a varint as a signed int32: int32 −1 is written as 10 bytes of sign extension. */
  varint32(): number {
    let lo = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new WireError(`truncated varint at byte ${this.pos}`);
      const b = this.buf[this.pos++];
      // Bits past 31 only matter for 64-bit fields, none of which this reader interprets.
      if (i < 5) lo |= (b & 0x7f) << (7 * i);
      if ((b & 0x80) === 0) return lo | 0;
    }
    throw new WireError(`varint longer than 10 bytes at byte ${this.pos - 10}`);
  }

  bool(): boolean {
    return this.varint32() !== 0;
  }

  float(): number {
    if (this.pos + 4 > this.end) throw new WireError(`truncated float at byte ${this.pos}`);
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** Tag of the next field: [field number, wire type]. */
  tag(): [number, number] {
    const at = this.pos;
    const t = this.varint32() >>> 0;
    const field = t >>> 3;
    if (field === 0) throw new WireError(`field number 0 at byte ${at}`);
    return [field, t & 7];
  }

  /** A length-delimited field as a reader over its bytes. */
  sub(): WireReader {
    const [start, end] = this.lenBounds();
    this.pos = end;
    return new WireReader(this.buf, start, end);
  }

  bytes(): Uint8Array {
    const [start, end] = this.lenBounds();
    this.pos = end;
    return this.buf.slice(start, end);
  }

  string(): string {
    const [start, end] = this.lenBounds();
    this.pos = end;
    try {
      return utf8.decode(this.buf.subarray(start, end));
    } catch {
      throw new WireError(`invalid UTF-8 in a string at byte ${start}`);
    }
  }

  /** Check that a field has the wire type its schema gives; a mismatch means this is not that message. */
  expect(field: number, wire: number, want: number): void {
    if (wire !== want) throw new WireError(`field ${field} has wire type ${wire}, expected ${want} (before byte ${this.pos})`);
  }

  skip(wire: number): void {
    switch (wire) {
      case WIRE_VARINT:
        this.varint32();
        return;
      case WIRE_FIXED64:
        this.advance(8);
        return;
      case WIRE_LEN:
        this.pos = this.lenBounds()[1];
        return;
      case WIRE_FIXED32:
        this.advance(4);
        return;
      default:
        // Groups (3, 4) are deprecated and absent from sentencepiece_model.proto; 6 and 7 do not exist.
        throw new WireError(`unsupported wire type ${wire} at byte ${this.pos}`);
    }
  }

  private advance(n: number): void {
    if (this.pos + n > this.end) throw new WireError(`truncated field at byte ${this.pos}`);
    this.pos += n;
  }

  private lenBounds(): [number, number] {
    const at = this.pos;
    const len = this.varint32();
    if (len < 0) throw new WireError(`negative length at byte ${at}`);
    if (this.pos + len > this.end) {
      throw new WireError(`truncated: a ${len}-byte field at byte ${at} runs past the end (${this.end - this.pos} bytes left)`);
    }
    return [this.pos, this.pos + len];
  }
}
