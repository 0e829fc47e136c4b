// Shared by the family tests: the PIL/numpy reference (test/fixtures/preprocess-reference) and hashing.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const REF_DIR = join(import.meta.dirname, '..', 'fixtures', 'preprocess-reference');

export interface RefTensor {
  shape: number[];
  sha256: string;
  sum: number;
  samples: [number, number][];
  u8_shape: number[];
  u8_sha256: string;
  image_tokens: number;
}

export interface RefImage {
  size: [number, number];
  eve: RefTensor;
  llava: RefTensor;
  fuyu: RefTensor;
  eve_hd?: RefTensor;
}

export const reference = JSON.parse(readFileSync(join(REF_DIR, 'reference.json'), 'utf8')) as { images: Record<string, RefImage> };

export function imageBytes(name: string): Buffer {
  return readFileSync(join(REF_DIR, 'images', name));
}

export function sha256(data: Float32Array | Uint8Array): string {
  return createHash('sha256')
    .update(Buffer.from(data.buffer, data.byteOffset, data.byteLength))
    .digest('hex');
}

/** Largest absolute difference at the reference's sampled positions (for a readable failure). */
export function sampleDiff(data: Float32Array, ref: RefTensor): number {
  let d = 0;
  for (const [i, v] of ref.samples) d = Math.max(d, Math.abs(data[i] - v));
  return d;
}
