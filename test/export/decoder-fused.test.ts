// The fused-operator decoder layout (export/decoder.ts, opts.fused: SimplifiedLayerNormalization,
// Skip(Simplified)LayerNormalization, RotaryEmbedding, MultiHeadAttention) against the plain-operator
// layout on the same random weights, on onnxruntime-node's CPU provider. The plain fp32 graph is the
// reference here (test/export/parity.test.ts checks it against transformers). Each spec runs a batch
// of 3 left-padded rows of different lengths (mask and position_ids as harness/runtime/generate.ts
// makes them), a prefill and 3 decode steps that feed present.* back as past_key_values.*, with
// num_logits_to_keep = 1: fused fp32 must match plain fp32 within 1e-4 (logits and every present);
// fp16 and q4 fused against plain at the same precision within a loose bound, reported. The timing of the
// two layouts is a bench (bench/decoder-fused.ts), not a test.
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { useFusedDecoder, type DecoderSpec } from '../../export/decoder.ts';
import type { Precision } from '../../export/onnx/graph.ts';
import { seededRandom } from '../../core/prng.ts';
import { build, compare, leftPadded, randomWeights, root, runStep, type Built } from './decoder-harness.ts';

const EXACT = 1e-4;
/**
 * Fused vs plain at the same reduced precision. fp16: both round their float16 outputs (presents fed
 * back), so a float32 difference of 1e-7 can become one float16 ulp (~1e-3 at 2). q4: MatMulNBits with
 * accuracy_level 4 quantizes its activations to int8 per block, a step function, so a 1e-7 input
 * difference now and then moves a value to the next code (measured: 1.8e-2 on logits up to 2.8, while
 * int8 activations themselves move these logits by 5.7e-2 against accuracy_level 0).
 */
const LOOSE: Record<Precision, number> = { fp32: EXACT, fp16: 2e-2, q4: 1e-1 };

afterAll(() => rmSync(root, { recursive: true, force: true }));

// ---------- the specs ----------

const BASE = { layers: 2, intermediate: 96, vocab: 101, eps: 1e-6, ropeTheta: 10000 };
const SPECS: { name: string; spec: DecoderSpec; attention: 'MultiHeadAttention' | 'plain' }[] = [
  {
    name: 'llama, kvHeads == heads',
    spec: { style: 'llama', hidden: 64, heads: 4, kvHeads: 4, headDim: 16, rotaryFraction: 1, ...BASE },
    attention: 'MultiHeadAttention',
  },
  { name: 'llama, kvHeads < heads', spec: { style: 'llama', hidden: 64, heads: 4, kvHeads: 2, headDim: 16, rotaryFraction: 1, ...BASE }, attention: 'plain' },
  {
    name: 'persimmon (partial rotary 0.5, q/k layernorm, biases)',
    spec: { style: 'persimmon', hidden: 64, heads: 4, kvHeads: 4, headDim: 16, rotaryFraction: 0.5, ...BASE, eps: 1e-5, ropeTheta: 25000 },
    attention: 'MultiHeadAttention',
  },
];

const count = (m: Built, op: string) => m.ops.get(op) ?? 0;

describe('fused decoder layout vs plain operators (onnxruntime-node CPU)', () => {
  it('useFusedDecoder: fp32 plain, fp16 and q4 fused', () => {
    expect(useFusedDecoder('fp32')).toBe(false);
    expect(useFusedDecoder('fp16')).toBe(true);
    expect(useFusedDecoder('q4')).toBe(true);
  });

  for (const [si, c] of SPECS.entries()) {
    describe(c.name, () => {
      const weights = randomWeights(c.spec, 100 + si);
      const L = c.spec.layers;

      for (const precision of ['fp32', 'fp16', 'q4'] as const) {
        it(`${precision}: same contract, fused ops present, fused matches plain`, async () => {
          const plain = await build(c.spec, weights, precision, false);
          const fused = await build(c.spec, weights, precision, true);
          // The contract: same inputs and outputs, names, types, dims, order.
          expect(fused.io).toBe(plain.io);
          expect(fused.session.inputNames).toEqual(plain.session.inputNames);
          expect(fused.session.outputNames).toEqual(plain.session.outputNames);

          // The fused op types really are in the fused graph (and not in the plain one).
          const fusedOps = [
            'SimplifiedLayerNormalization',
            'SkipSimplifiedLayerNormalization',
            'SkipLayerNormalization',
            'RotaryEmbedding',
            'MultiHeadAttention',
          ];
          for (const op of fusedOps) expect(count(plain, op)).toBe(0);
          expect(count(fused, 'RotaryEmbedding')).toBe(2 * L);
          if (c.spec.style === 'llama') {
            expect(count(fused, 'SimplifiedLayerNormalization')).toBe(1);
            expect(count(fused, 'SkipSimplifiedLayerNormalization')).toBe(2 * L);
          } else {
            expect(count(fused, 'SkipLayerNormalization')).toBe(2 * L);
            expect(count(fused, 'LayerNormalization')).toBe(1 + 2 * L); // layer 0's input norm, q/k norms
          }
          expect(count(fused, 'MultiHeadAttention')).toBe(c.attention === 'MultiHeadAttention' ? L : 0);
          expect(count(fused, 'Softmax')).toBe(c.attention === 'MultiHeadAttention' ? 0 : L);
          expect(count(fused, 'MatMulNBits')).toBe(count(plain, 'MatMulNBits'));
          expect(count(fused, 'Sin') + count(fused, 'Cos')).toBe(0);

          const gaps = await compare(plain, fused, 7 + si);
          console.log(
            `decoder-fused ${c.name} ${precision}: fused vs plain max |diff| logits ${gaps.logits.toExponential(2)}, present ${gaps.present.toExponential(2)}; max |logit| ${gaps.scale.toFixed(2)} (${[
              ...fused.ops,
            ]
              .filter(([op]) => fusedOps.includes(op))
              .map(([op, n]) => `${op}×${n}`)
              .join(', ')})`,
          );
          expect(gaps.logits).toBeLessThan(LOOSE[precision]);
          expect(gaps.present).toBeLessThan(LOOSE[precision]);
          await plain.session.release();
          await fused.session.release();
        });
      }
    });
  }

  it('a position beyond spec.maxPositions is an error, not a wrong rotation', async () => {
    const spec: DecoderSpec = { ...SPECS[0].spec, layers: 1, maxPositions: 8 };
    const m = await build(spec, randomWeights(spec, 5), 'fp32', true);
    // More new tokens than cache rows: onnxruntime refuses before looking at the positions.
    await expect(runStep(m, leftPadded([10], spec.hidden, seededRandom(3)))).rejects.toThrow(
      /Updating cos_cache and sin_cache in RotaryEmbedding is not currently supported/,
    );
    // Few tokens at positions past the cache.
    const x = leftPadded([2], spec.hidden, seededRandom(4));
    x.positions = BigInt64Array.of(8n, 9n);
    await expect(runStep(m, x)).rejects.toThrow(/position_ids value 8 at index 0 is out of range \[0, 8\)/);
    await m.session.release();
  });
});

// ---------- timing (reported, not asserted) ----------
