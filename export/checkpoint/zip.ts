// The zip subset torch.save uses: stored entries found through the central directory, ZIP64 records,
// data aligned by a local extra field. Reading touches only the directory and the local headers.
import zlib from 'node:zlib';
import { CheckpointError } from './errors.ts';
import { readBytes, u64, writeAt, type OpenFile } from './fileio.ts';

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_LOCATOR = 0x07064b50;
const U32_MAX = 0xffffffff;

export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

/** Central-directory entries in directory order. */
export function readZipDirectory(f: OpenFile): ZipEntry[] {
  const fail = (detail: string) => new CheckpointError(f.file, undefined, detail);
  const tailLen = Math.min(f.size, 22 + 0xffff + 20);
  const tailStart = f.size - tailLen;
  const tail = readBytes(f, tailLen, tailStart);
  const tv = new DataView(tail.buffer);
  let eocd = -1;
  for (let i = tailLen - 22; i >= 0; i--) {
    if (tv.getUint32(i, true) === SIG_EOCD && i + 22 + tv.getUint16(i + 20, true) <= tailLen) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw fail('no zip end-of-central-directory record: the file is truncated or not a zip');
  if (tv.getUint16(eocd + 4, true) !== 0 || tv.getUint16(eocd + 6, true) !== 0) throw fail('multi-disk zip archives are not supported');
  let count = tv.getUint16(eocd + 10, true);
  let cdSize = tv.getUint32(eocd + 12, true);
  let cdOffset = tv.getUint32(eocd + 16, true);
  const cdEnd = tailStart + eocd;
  if (eocd >= 20 && tv.getUint32(eocd - 20, true) === SIG_LOCATOR) {
    const at = u64(tv, eocd - 20 + 8, f, 'ZIP64 end record offset');
    if (at + 56 > cdEnd) throw fail('ZIP64 end record lies outside the file (truncated?)');
    const rec = new DataView(readBytes(f, 56, at).buffer);
    if (rec.getUint32(0, true) !== SIG_EOCD64) throw fail('ZIP64 locator does not point at a ZIP64 end record');
    count = u64(rec, 32, f, 'entry count');
    cdSize = u64(rec, 40, f, 'central directory size');
    cdOffset = u64(rec, 48, f, 'central directory offset');
  } else if (count === 0xffff || cdSize === U32_MAX || cdOffset === U32_MAX) {
    throw fail('ZIP64 sizes without a ZIP64 end record locator (truncated?)');
  }
  if (cdOffset + cdSize > cdEnd) throw fail('the central directory runs past the end of the file (truncated?)');
  const cd = readBytes(f, cdSize, cdOffset);
  const cv = new DataView(cd.buffer);
  const names = new TextDecoder();
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cdSize || cv.getUint32(p, true) !== SIG_CENTRAL) throw fail(`central directory entry ${i} is corrupt`);
    const nameLen = cv.getUint16(p + 28, true);
    const extraLen = cv.getUint16(p + 30, true);
    const commentLen = cv.getUint16(p + 32, true);
    if (p + 46 + nameLen + extraLen + commentLen > cdSize) throw fail(`central directory entry ${i} is corrupt`);
    const name = names.decode(cd.subarray(p + 46, p + 46 + nameLen));
    const e: ZipEntry = {
      name,
      flags: cv.getUint16(p + 8, true),
      method: cv.getUint16(p + 10, true),
      compressedSize: cv.getUint32(p + 20, true),
      size: cv.getUint32(p + 24, true),
      localHeaderOffset: cv.getUint32(p + 42, true),
    };
    applyZip64Extra(f, e, cv, p + 46 + nameLen, extraLen);
    entries.push(e);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** Extra field 0x0001 holds, in this order, only the fields whose 32-bit slot reads 0xFFFFFFFF. */
function applyZip64Extra(f: OpenFile, e: ZipEntry, v: DataView, start: number, len: number): void {
  const fields = (['size', 'compressedSize', 'localHeaderOffset'] as const).filter((k) => e[k] === U32_MAX);
  if (fields.length === 0) return;
  for (let q = start; q + 4 <= start + len; ) {
    const id = v.getUint16(q, true);
    const size = v.getUint16(q + 2, true);
    if (id === 0x0001) {
      if (size < fields.length * 8) break;
      fields.forEach((k, j) => (e[k] = u64(v, q + 4 + 8 * j, f, `ZIP64 ${k} of ${e.name}`)));
      return;
    }
    q += 4 + size;
  }
  throw new CheckpointError(f.file, undefined, `zip entry ${e.name} lacks the ZIP64 extra field its sizes need`);
}

/** Where an entry's bytes start: after the *local* header, whose extra field differs from the directory's. */
export function entryDataOffset(f: OpenFile, e: ZipEntry): number {
  const start = localDataStart(f, e);
  if (e.method !== 0)
    throw new CheckpointError(f.file, undefined, `zip entry ${e.name}: compressed (method ${e.method}); torch.save stores entries uncompressed`);
  return start;
}

/** An entry's contents, stored or deflated (method 8, what .xlsx workbooks use); for small entries only. */
export function readZipEntry(f: OpenFile, e: ZipEntry): Buffer {
  const start = localDataStart(f, e);
  const raw = Buffer.from(readBytes(f, e.compressedSize, start));
  if (e.method === 0) return raw;
  if (e.method !== 8) throw new CheckpointError(f.file, undefined, `zip entry ${e.name}: compression method ${e.method} is not supported`);
  try {
    return zlib.inflateRawSync(raw);
  } catch (err) {
    throw new CheckpointError(f.file, undefined, `zip entry ${e.name}: cannot inflate (${(err as Error).message})`);
  }
}

function localDataStart(f: OpenFile, e: ZipEntry): number {
  const fail = (detail: string) => new CheckpointError(f.file, undefined, `zip entry ${e.name}: ${detail}`);
  if (e.localHeaderOffset + 30 > f.size) throw fail('local header lies past the end of the file (truncated?)');
  const h = new DataView(readBytes(f, 30, e.localHeaderOffset).buffer);
  if (h.getUint32(0, true) !== SIG_LOCAL) throw fail('bad local header signature');
  const start = e.localHeaderOffset + 30 + h.getUint16(26, true) + h.getUint16(28, true);
  if (start + e.compressedSize > f.size) throw fail(`data runs past the end of the file (needs ${start + e.compressedSize} bytes, has ${f.size}): truncated`);
  if (e.flags & 1) throw fail('encrypted entries are not supported');
  return start;
}

interface Written {
  name: Buffer;
  crc: number;
  size: number;
  offset: number;
}

/**
 * A streaming zip writer in torch's style: every entry stored, its data 64-byte aligned by an "FB" extra field,
 * ZIP64 end records always written. Sizes are declared up front and the CRC patched in afterwards, so an entry
 * can be written in pieces without a data descriptor.
 */
export class ZipWriter {
  private pos = 0;
  private readonly done: Written[] = [];
  private open: (Written & { zip64: boolean; written: number }) | undefined;

  constructor(
    private readonly fd: number,
    private readonly opts: { forceZip64?: boolean } = {},
  ) {}

  begin(name: string, size: number): void {
    if (this.open) throw new Error('zip entry still open');
    const nameBuf = Buffer.from(name, 'utf8');
    const zip64 = this.opts.forceZip64 === true || size >= U32_MAX;
    const zip64Len = zip64 ? 20 : 0;
    const before = this.pos + 30 + nameBuf.length + zip64Len + 4;
    const pad = (64 - (before % 64)) % 64;
    const h = Buffer.alloc(30 + nameBuf.length + zip64Len + 4 + pad);
    h.writeUInt32LE(SIG_LOCAL, 0);
    h.writeUInt16LE(zip64 ? 45 : 20, 4);
    // flags 0, method 0 (stored), time/date 0; CRC at 14 is patched in end()
    h.writeUInt32LE(zip64 ? U32_MAX : size, 18);
    h.writeUInt32LE(zip64 ? U32_MAX : size, 22);
    h.writeUInt16LE(nameBuf.length, 26);
    h.writeUInt16LE(zip64Len + 4 + pad, 28);
    nameBuf.copy(h, 30);
    let q = 30 + nameBuf.length;
    if (zip64) {
      h.writeUInt16LE(0x0001, q);
      h.writeUInt16LE(16, q + 2);
      h.writeBigUInt64LE(BigInt(size), q + 4);
      h.writeBigUInt64LE(BigInt(size), q + 12);
      q += 20;
    }
    h.write('FB', q, 'latin1');
    h.writeUInt16LE(pad, q + 2);
    h.fill('Z', q + 4);
    this.open = { name: nameBuf, crc: 0, size, offset: this.pos, zip64, written: 0 };
    this.write(h);
  }

  data(chunk: Uint8Array): void {
    const o = this.open;
    if (!o) throw new Error('no zip entry open');
    if (o.written + chunk.length > o.size) throw new Error(`zip entry ${o.name.toString()} gets more than its ${o.size} bytes`);
    o.crc = zlib.crc32(chunk, o.crc);
    o.written += chunk.length;
    this.write(chunk);
  }

  end(): void {
    const o = this.open;
    if (!o) throw new Error('no zip entry open');
    if (o.written !== o.size) throw new Error(`zip entry ${o.name.toString()} got ${o.written} of its ${o.size} bytes`);
    const crc = Buffer.alloc(4);
    crc.writeUInt32LE(o.crc >>> 0, 0);
    writeAt(this.fd, crc, o.offset + 14);
    this.done.push(o);
    this.open = undefined;
  }

  add(name: string, content: Uint8Array): void {
    this.begin(name, content.length);
    this.data(content);
    this.end();
  }

  /** Central directory, ZIP64 end record and locator, end record. */
  finish(): number {
    if (this.open) throw new Error('zip entry still open');
    const force = this.opts.forceZip64 === true;
    const cdOffset = this.pos;
    for (const e of this.done) {
      const big = { size: force || e.size >= U32_MAX, offset: force || e.offset >= U32_MAX };
      const extra: bigint[] = [];
      if (big.size) extra.push(BigInt(e.size), BigInt(e.size));
      if (big.offset) extra.push(BigInt(e.offset));
      const extraLen = extra.length ? 4 + 8 * extra.length : 0;
      const c = Buffer.alloc(46 + e.name.length + extraLen);
      c.writeUInt32LE(SIG_CENTRAL, 0);
      c.writeUInt16LE(extra.length ? 45 : 20, 4);
      c.writeUInt16LE(extra.length ? 45 : 20, 6);
      c.writeUInt32LE(e.crc >>> 0, 16);
      c.writeUInt32LE(big.size ? U32_MAX : e.size, 20);
      c.writeUInt32LE(big.size ? U32_MAX : e.size, 24);
      c.writeUInt16LE(e.name.length, 28);
      c.writeUInt16LE(extraLen, 30);
      c.writeUInt32LE(big.offset ? U32_MAX : e.offset, 42);
      e.name.copy(c, 46);
      if (extra.length) {
        const q = 46 + e.name.length;
        c.writeUInt16LE(0x0001, q);
        c.writeUInt16LE(8 * extra.length, q + 2);
        extra.forEach((v, j) => c.writeBigUInt64LE(v, q + 4 + 8 * j));
      }
      this.write(c);
    }
    const cdSize = this.pos - cdOffset;
    const eocd64Offset = this.pos;
    const n = this.done.length;
    const end = Buffer.alloc(56 + 20 + 22);
    end.writeUInt32LE(SIG_EOCD64, 0);
    end.writeBigUInt64LE(44n, 4);
    end.writeUInt16LE(45, 12);
    end.writeUInt16LE(45, 14);
    end.writeBigUInt64LE(BigInt(n), 24);
    end.writeBigUInt64LE(BigInt(n), 32);
    end.writeBigUInt64LE(BigInt(cdSize), 40);
    end.writeBigUInt64LE(BigInt(cdOffset), 48);
    end.writeUInt32LE(SIG_LOCATOR, 56);
    end.writeBigUInt64LE(BigInt(eocd64Offset), 64);
    end.writeUInt32LE(1, 72);
    end.writeUInt32LE(SIG_EOCD, 76);
    const many = force || n >= 0xffff;
    end.writeUInt16LE(many ? 0xffff : n, 84);
    end.writeUInt16LE(many ? 0xffff : n, 86);
    end.writeUInt32LE(force || cdSize >= U32_MAX ? U32_MAX : cdSize, 88);
    end.writeUInt32LE(force || cdOffset >= U32_MAX ? U32_MAX : cdOffset, 92);
    this.write(end);
    return this.pos;
  }

  private write(b: Uint8Array): void {
    writeAt(this.fd, b, this.pos);
    this.pos += b.length;
  }
}
