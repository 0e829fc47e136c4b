// The checkpoint I/O contract: what the exporter sees of a safetensors / torch.save checkpoint, whatever the files.

/** Dtypes `readFloat32` converts. */
export type DType = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

/** Dtypes a file may declare that we list but cannot convert (reading one throws "unsupported dtype"). */
export type UnreadableDType =
  | 'U16'
  | 'U32'
  | 'U64'
  | 'C64'
  | 'C128'
  | 'F8_E4M3'
  | 'F8_E5M2'
  | 'F8_E8M0'
  | 'F8_E4M3FNUZ'
  | 'F8_E5M2FNUZ'
  | 'F4'
  | 'F6_E2M3'
  | 'F6_E3M2';

export interface TensorInfo {
  name: string;
  /** An `UnreadableDType` only for tensors `readFloat32` refuses; narrow with `isReadableDType`. */
  dtype: DType | UnreadableDType;
  shape: number[];
  /** file holding it (absolute) */
  file: string;
}

export interface Checkpoint {
  dir: string;
  /** every tensor key, in the order the files list them */
  keys(): string[];
  info(name: string): TensorInfo | undefined;
  /** The tensor as contiguous row-major float32 (F16/BF16/F64 converted; strides and storage offsets honoured). Throws CheckpointError naming file and key. */
  readFloat32(name: string): Float32Array;
  close(): void;
}

/** Dtypes the writers produce. */
export type WritableDType = 'F32' | 'F16' | 'BF16';

export interface TensorToWrite {
  name: string;
  dtype: WritableDType;
  shape: number[];
  /**
   * The values, row-major. A function is called only when the writer reaches this tensor and its result is
   * dropped right after, so a generator of such entries keeps one tensor in memory at a time.
   */
  data: Float32Array | (() => Float32Array);
}

/** Bits per element (F4/F6 are sub-byte, as safetensors counts them). */
export const DTYPE_BITS: Readonly<Record<DType | UnreadableDType, number>> = {
  F64: 64,
  F32: 32,
  F16: 16,
  BF16: 16,
  I64: 64,
  I32: 32,
  I16: 16,
  I8: 8,
  U8: 8,
  BOOL: 8,
  U16: 16,
  U32: 32,
  U64: 64,
  C64: 64,
  C128: 128,
  F8_E4M3: 8,
  F8_E5M2: 8,
  F8_E8M0: 8,
  F8_E4M3FNUZ: 8,
  F8_E5M2FNUZ: 8,
  F4: 4,
  F6_E2M3: 6,
  F6_E3M2: 6,
};

const READABLE = new Set<string>(['F64', 'F32', 'F16', 'BF16', 'I64', 'I32', 'I16', 'I8', 'U8', 'BOOL']);

export function isReadableDType(d: string): d is DType {
  return READABLE.has(d);
}

export function isKnownDType(d: string): d is DType | UnreadableDType {
  return Object.hasOwn(DTYPE_BITS, d);
}

/** Bytes per element of a readable dtype. */
export function itemSize(d: DType): number {
  return DTYPE_BITS[d] / 8;
}

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}
