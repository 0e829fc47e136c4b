// What the writers share: checking the tensors they are given and materializing each one's values.
import { CheckpointError } from './errors.ts';
import { numel, type TensorToWrite, type WritableDType } from './types.ts';

/** safetensors' layout order (its Rust dtype order, widest first); also the set of dtypes we write. */
export const WRITE_ORDER: Record<WritableDType, number> = { F32: 0, BF16: 1, F16: 2 };

export function tensorBytes(t: Pick<TensorToWrite, 'dtype' | 'shape'>): number {
  return numel(t.shape) * (t.dtype === 'F32' ? 4 : 2);
}

/** Materializes a tensor's values and checks their count against its shape. */
export function tensorData(file: string, t: TensorToWrite): Float32Array {
  const data = typeof t.data === 'function' ? t.data() : t.data;
  if (!(data instanceof Float32Array)) throw new CheckpointError(file, t.name, 'data is not a Float32Array');
  if (data.length !== numel(t.shape)) {
    throw new CheckpointError(file, t.name, `${data.length} values for shape ${JSON.stringify(t.shape)} (${numel(t.shape)} elements)`);
  }
  return data;
}

/** The tensors as a list, names unique, shapes and dtypes valid (values untouched: they may be lazy). */
export function checkTensors(file: string, tensors: Iterable<TensorToWrite>): TensorToWrite[] {
  const list = [...tensors];
  const seen = new Set<string>();
  for (const t of list) {
    if (seen.has(t.name)) throw new CheckpointError(file, t.name, 'duplicate tensor name');
    seen.add(t.name);
    if (!(t.dtype in WRITE_ORDER)) throw new CheckpointError(file, t.name, `cannot write dtype ${String(t.dtype)} (F32, F16 or BF16)`);
    if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new CheckpointError(file, t.name, `bad shape ${JSON.stringify(t.shape)}`);
  }
  return list;
}
