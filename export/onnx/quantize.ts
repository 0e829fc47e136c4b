// 4-bit block quantization for MatMulNBits, as onnxruntime's MLAS quantizer does it by default
// (symmetric): per block of `blockSize` values along K, the value of largest magnitude v gives
// scale = v / -8, codes q = clamp(round(x / scale) + 8, 0, 15), zero point 8 (left implicit).
// The weight stays in PyTorch's [out, in] = [N, K] layout: row n of B is output n.

export interface Q4Weight {
  /** uint8 [N, kBlocks, blockSize / 2]; even k in the low nibble. */
  packed: Uint8Array;
  /** float32 [N * kBlocks]. */
  scales: Float32Array;
  kBlocks: number;
}

export function quantizeQ4(w: Float32Array, N: number, K: number, blockSize = 32): Q4Weight {
  const kBlocks = Math.ceil(K / blockSize);
  const bytesPerBlock = blockSize / 2;
  const packed = new Uint8Array(N * kBlocks * bytesPerBlock);
  const scales = new Float32Array(N * kBlocks);
  for (let n = 0; n < N; n++) {
    const row = n * K;
    for (let b = 0; b < kBlocks; b++) {
      const k0 = b * blockSize;
      const k1 = Math.min(K, k0 + blockSize);
      let v = 0;
      for (let k = k0; k < k1; k++) if (Math.abs(w[row + k]) > Math.abs(v)) v = w[row + k];
      const scale = Math.fround(v / -8);
      const inv = scale === 0 ? 0 : 1 / scale;
      scales[n * kBlocks + b] = scale;
      const base = (n * kBlocks + b) * bytesPerBlock;
      for (let k = k0; k < k0 + blockSize; k++) {
        // Padding past K quantizes to the zero point (contributes nothing).
        const q = k < k1 ? Math.min(15, Math.max(0, Math.round(w[row + k] * inv) + 8)) : 8;
        const j = k - k0;
        packed[base + (j >> 1)] |= j & 1 ? q << 4 : q;
      }
    }
  }
  return { packed, scales, kBlocks };
}

/** The float weights a Q4Weight stands for ([N, K]): for reports of the quantization error. */
export function dequantizeQ4(q: Q4Weight, N: number, K: number, blockSize = 32): Float32Array {
  const out = new Float32Array(N * K);
  const bytesPerBlock = blockSize / 2;
  for (let n = 0; n < N; n++) {
    for (let k = 0; k < K; k++) {
      const b = Math.floor(k / blockSize);
      const j = k % blockSize;
      const byte = q.packed[(n * q.kBlocks + b) * bytesPerBlock + (j >> 1)];
      const code = j & 1 ? byte >> 4 : byte & 15;
      out[n * K + k] = (code - 8) * q.scales[n * q.kBlocks + b];
    }
  }
  return out;
}
