// 4-bit weights: our packing, as onnxruntime's MatMulNBits reads it. A q4 Linear must compute x·Wqᵀ where
// Wq is what dequantizeQ4 says the codes stand for; onnxruntime is the oracle of the layout (nibble order,
// block padding when K is not a multiple of 32, scales per block, implicit zero point 8).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { FLOAT, Graph } from '../../export/onnx/graph.ts';
import { linear } from '../../export/onnx/layers.ts';
import { dequantizeQ4, quantizeQ4 } from '../../export/onnx/quantize.ts';
import { seededRandom } from '../../core/prng.ts';

const dir = mkdtempSync(join(tmpdir(), 'eve-eval-q4-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function random(n: number, seed: number, scale = 1): Float32Array {
  const r = seededRandom(seed);
  return Float32Array.from({ length: n }, () => (r() * 2 - 1) * scale);
}

async function runLinear(precision: 'fp32' | 'q4', w: Float32Array, b: Float32Array, N: number, K: number, x: Float32Array, T: number): Promise<Float32Array> {
  const g = new Graph({ name: `q4-${precision}`, precision });
  const input = g.input('x', FLOAT, [1, T, K]);
  g.op('Identity', [linear(g, input, 'proj', { data: w, shape: [N, K] }, { data: b, shape: [N] })], [], 'y');
  g.output('y', FLOAT, [1, T, N]);
  const file = join(dir, `${precision}-${N}x${K}.onnx`);
  g.save(file);
  const s = await ort.InferenceSession.create(file);
  const out = await s.run({ x: new ort.Tensor('float32', x, [1, T, K]) });
  await s.release();
  return out.y.data as Float32Array;
}

describe('q4 Linear (MatMulNBits) against the dequantized weights', () => {
  for (const [N, K] of [
    [48, 64],
    [40, 100],
    [4096, 4096],
  ] as const) {
    it(`N ${N}, K ${K}${K % 32 ? ' (last block padded)' : ''}`, async () => {
      const T = 5;
      const w = random(N * K, N + K, 1 / Math.sqrt(K));
      const b = random(N, 7, 0.1);
      const x = random(T * K, 11);
      const q = quantizeQ4(w, N, K);
      const deq = dequantizeQ4(q, N, K);
      // Codes reproduce the weights to within half a step of each block's scale, except values of the opposite
      // sign to the block's largest one and as large: the symmetric scheme's range is [-8, 7], so they clamp (1 step).
      let worstCode = 0;
      for (let n = 0; n < N; n++)
        for (let k = 0; k < K; k++)
          worstCode = Math.max(worstCode, Math.abs(deq[n * K + k] - w[n * K + k]) / Math.abs(q.scales[n * q.kBlocks + Math.floor(k / 32)]));
      expect(worstCode).toBeLessThanOrEqual(1 + 1e-5);
      const got = await runLinear('q4', w, b, N, K, x, T);
      const want = await runLinear('fp32', deq, b, N, K, x, T);
      let d = 0;
      let scale = 0;
      for (let i = 0; i < got.length; i++) {
        d = Math.max(d, Math.abs(got[i] - want[i]));
        scale = Math.max(scale, Math.abs(want[i]));
      }
      console.log(
        `q4 ${N}x${K}: max |MatMulNBits − x·deq(W)ᵀ| ${d.toExponential(2)} (outputs up to ${scale.toFixed(2)}; accuracy_level 4 rounds activations to int8)`,
      );
      // int8 activations (accuracy_level 4) cost ~1% of the output scale; a wrong nibble order or block layout costs ~100%.
      expect(d / scale).toBeLessThan(0.03);
    }, 60_000);
  }
});
