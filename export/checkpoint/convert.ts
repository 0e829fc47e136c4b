// Element conversions between stored dtypes and float32, and the strided read every format shares.
import os from 'node:os';
import path from 'node:path';
import { f32BitsToHalf, halfToFloatTable } from '../../core/float16.ts';
import { CheckpointError } from './errors.ts';
import { closeFile, readInto, type OpenFile } from './fileio.ts';
import { isReadableDType, itemSize, numel, type Checkpoint, type DType, type TensorInfo, type UnreadableDType, type WritableDType } from './types.ts';

const HOST_BIG_ENDIAN = os.endianness() === 'BE';

/** Where a tensor's elements sit: a storage at `base` (bytes), the view at `offset` elements with `strides`. */
export interface Layout {
  dtype: DType | UnreadableDType;
  shape: number[];
  strides: number[];
  /** absolute file position of the storage's first byte */
  base: number;
  /** in elements */
  offset: number;
  bigEndian: boolean;
}

/** Row-major strides as torch computes them (an empty dimension counts as 1). */
export function contiguousStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= Math.max(1, shape[i]);
  }
  return s;
}

/** Elements from the view's first to its last, inclusive (what must be read to gather it). */
export function viewSpan(shape: readonly number[], strides: readonly number[]): number {
  if (numel(shape) === 0) return 0;
  let span = 1;
  for (let i = 0; i < shape.length; i++) span += (shape[i] - 1) * strides[i];
  return span;
}

function isRowMajor(shape: readonly number[], strides: readonly number[]): boolean {
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && strides[i] !== acc) return false;
    acc *= shape[i];
  }
  return true;
}

export function readLayout(f: OpenFile, key: string, l: Layout): Float32Array {
  if (!isReadableDType(l.dtype)) {
    throw new CheckpointError(f.file, key, `unsupported dtype ${l.dtype}: only F64, F32, F16, BF16, I64, I32, I16, I8, U8 and BOOL can be read`);
  }
  const n = numel(l.shape);
  if (n === 0) return new Float32Array(0);
  const size = itemSize(l.dtype);
  const span = viewSpan(l.shape, l.strides);
  // Read only the view's own bytes; a fresh Uint8Array starts its ArrayBuffer, so typed views over it are aligned.
  const raw = new Uint8Array(span * size);
  readInto(f, raw, l.base + l.offset * size, key);
  if (size > 1 && l.bigEndian !== HOST_BIG_ENDIAN) {
    const b = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    if (size === 2) b.swap16();
    else if (size === 4) b.swap32();
    else b.swap64();
  }
  const values = decode(raw, l.dtype, span);
  if (isRowMajor(l.shape, l.strides)) return values;
  return gather(values, l.shape, l.strides, n);
}

function gather(values: Float32Array, shape: readonly number[], strides: readonly number[], n: number): Float32Array {
  const out = new Float32Array(n);
  const rank = shape.length;
  const inner = shape[rank - 1];
  const innerStride = strides[rank - 1];
  const idx = new Array<number>(rank).fill(0);
  let pos = 0;
  for (let o = 0; o < n; ) {
    for (let j = 0, p = pos; j < inner; j++, p += innerStride) out[o++] = values[p];
    for (let d = rank - 2; d >= 0; d--) {
      pos += strides[d];
      if (++idx[d] < shape[d]) break;
      pos -= strides[d] * shape[d];
      idx[d] = 0;
    }
  }
  return out;
}

function decode(raw: Uint8Array, dtype: DType, count: number): Float32Array {
  const buf = raw.buffer;
  switch (dtype) {
    case 'F32':
      return new Float32Array(buf, 0, count);
    case 'F64': {
      const out = new Float32Array(count);
      out.set(new Float64Array(buf, 0, count));
      return out;
    }
    case 'F16': {
      const table = halfToFloatTable();
      const src = new Uint16Array(buf, 0, count);
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = table[src[i]];
      return out;
    }
    case 'BF16': {
      const src = new Uint16Array(buf, 0, count);
      const out = new Float32Array(count);
      const outBits = new Uint32Array(out.buffer);
      for (let i = 0; i < count; i++) outBits[i] = src[i] << 16;
      return out;
    }
    case 'I64': {
      const src = new BigInt64Array(buf, 0, count);
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = Number(src[i]);
      return out;
    }
    case 'I32':
      return Float32Array.from(new Int32Array(buf, 0, count));
    case 'I16':
      return Float32Array.from(new Int16Array(buf, 0, count));
    case 'I8':
      return Float32Array.from(new Int8Array(buf, 0, count));
    case 'U8':
      return Float32Array.from(new Uint8Array(buf, 0, count));
    case 'BOOL': {
      const src = new Uint8Array(buf, 0, count);
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = src[i] ? 1 : 0;
      return out;
    }
  }
}

/** float32 bits → bfloat16 bits, round to nearest even (any NaN → 0x7fc0, as torch converts). */
export function f32BitsToBf16(x: number): number {
  if ((x & 0x7f800000) === 0x7f800000 && x & 0x7fffff) return 0x7fc0;
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

/** The little-endian bytes of `data` stored as `dtype`. */
export function encode(data: Float32Array, dtype: WritableDType): Uint8Array {
  if (HOST_BIG_ENDIAN) throw new Error('checkpoint writers assume a little-endian host');
  if (dtype === 'F32') return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const src = new Uint32Array(data.buffer, data.byteOffset, data.length);
  const out = new Uint16Array(data.length);
  const conv = dtype === 'F16' ? f32BitsToHalf : f32BitsToBf16;
  for (let i = 0; i < src.length; i++) out[i] = conv(src[i]);
  return new Uint8Array(out.buffer);
}

/** The Checkpoint every single-file reader returns: its tensors' layouts over one open file, read on demand. */
export function layoutCheckpoint(f: OpenFile, tensors: Map<string, { info: TensorInfo; layout: Layout }>): Checkpoint {
  return {
    dir: path.dirname(f.file),
    keys: () => [...tensors.keys()],
    info: (name) => tensors.get(name)?.info,
    readFloat32(name) {
      const t = tensors.get(name);
      if (!t) throw new CheckpointError(f.file, name, 'no such tensor');
      return readLayout(f, name, t.layout);
    },
    close: () => closeFile(f),
  };
}
