// The fused-operator decoder layout (export/decoder.ts, opts.fused: SimplifiedLayerNormalization,
// Skip(Simplified)LayerNormalization, RotaryEmbedding, MultiHeadAttention) against the plain-operator
// layout on the same random weights, on onnxruntime-node's CPU provider. The plain fp32 graph is the
// reference here (test/export/parity.test.ts checks it against transformers). Each spec runs a batch
// of 3 left-padded rows of different lengths (mask and position_ids as harness/runtime/generate.ts
// makes them), a prefill and 3 decode steps that feed present.* back as past_key_values.*, with
// num_logits_to_keep = 1: fused fp32 must match plain fp32 within 1e-4 (logits and every present);
// fp16 and q4 fused against plain at the same precision within a loose bound, reported. A mid-size q4
// spec times prefill and decode, plain vs fused (reported only).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxPkg from 'onnx-proto';
import ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDecoderGraph, useFusedDecoder, type DecoderSpec } from '../../export/decoder.ts';
import { Graph, type Precision } from '../../export/onnx/graph.ts';
import type { Tensor } from '../../export/onnx/layers.ts';
import { seededRandom } from '../../core/prng.ts';
import { floatTensor, hostFloats } from '../../harness/runtime/generate.ts';

const { onnx } = onnxPkg as unknown as { onnx: any };

const EXACT = 1e-4;
/**
 * Fused vs plain at the same reduced precision. fp16: both round their float16 outputs (presents fed
 * back), so a float32 difference of 1e-7 can become one float16 ulp (~1e-3 at 2). q4: MatMulNBits with
 * accuracy_level 4 quantizes its activations to int8 per block, a step function, so a 1e-7 input
 * difference now and then moves a value to the next code (measured: 1.8e-2 on logits up to 2.8, while
 * int8 activations themselves move these logits by 5.7e-2 against accuracy_level 0).
 */
const LOOSE: Record<Precision, number> = { fp32: EXACT, fp16: 2e-2, q4: 1e-1 };

const root = mkdtempSync(join(tmpdir(), 'eve-decoder-fused-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// ---------- random weights ----------

function weightShapes(s: DecoderSpec): Map<string, number[]> {
  const { hidden: H, heads: NH, kvHeads: KV, headDim: D, intermediate: I, vocab: V } = s;
  const m = new Map<string, number[]>();
  const lin = (name: string, out: number, inp: number) => {
    m.set(`${name}.weight`, [out, inp]);
    if (s.style === 'persimmon') m.set(`${name}.bias`, [out]);
  };
  const norm = (name: string, n: number) => {
    m.set(`${name}.weight`, [n]);
    if (s.style === 'persimmon') m.set(`${name}.bias`, [n]);
  };
  for (let i = 0; i < s.layers; i++) {
    const p = `layers.${i}`;
    norm(`${p}.input_layernorm`, H);
    norm(`${p}.post_attention_layernorm`, H);
    if (s.style === 'llama') {
      lin(`${p}.self_attn.q_proj`, NH * D, H);
      lin(`${p}.self_attn.k_proj`, KV * D, H);
      lin(`${p}.self_attn.v_proj`, KV * D, H);
      lin(`${p}.self_attn.o_proj`, H, NH * D);
      lin(`${p}.mlp.gate_proj`, I, H);
      lin(`${p}.mlp.up_proj`, I, H);
      lin(`${p}.mlp.down_proj`, H, I);
    } else {
      lin(`${p}.self_attn.query_key_value`, 3 * NH * D, H);
      norm(`${p}.self_attn.q_layernorm`, D);
      norm(`${p}.self_attn.k_layernorm`, D);
      lin(`${p}.self_attn.dense`, H, NH * D);
      lin(`${p}.mlp.dense_h_to_4h`, I, H);
      lin(`${p}.mlp.dense_4h_to_h`, H, I);
    }
  }
  norm(s.style === 'llama' ? 'norm' : 'final_layernorm', H);
  m.set('lm_head.weight', [V, H]);
  return m;
}

/** Seeded weights: Linear ~ U(±gain/√in) (q/k larger so the softmaxes are far from uniform), norm scales 1 ± 0.2, biases ± 0.1. */
function randomWeights(s: DecoderSpec, seed: number): Map<string, Tensor> {
  const rnd = seededRandom(seed);
  const u = () => rnd() * 2 - 1;
  const out = new Map<string, Tensor>();
  for (const [name, shape] of weightShapes(s)) {
    const n = shape.reduce((a, b) => a * b, 1);
    let f: () => number;
    if (name.endsWith('.bias')) f = () => 0.1 * u();
    else if (shape.length === 1) f = () => 1 + 0.2 * u();
    else {
      const gain = /q_proj|k_proj|query_key_value/.test(name) ? 3 : 1.5;
      const a = gain / Math.sqrt(shape[1]);
      f = () => a * u();
    }
    out.set(name, { data: Float32Array.from({ length: n }, f), shape });
  }
  return out;
}

// ---------- building and running ----------

interface Built {
  session: ort.InferenceSession;
  file: string;
  /** Node op types in the saved model and how often each occurs. */
  ops: Map<string, number>;
  /** The graph's inputs and outputs as saved (names, element types, dims). */
  io: string;
  spec: DecoderSpec;
  float: 'float32' | 'float16';
}

let built = 0;
async function build(s: DecoderSpec, weights: Map<string, Tensor>, precision: Precision, fused: boolean, threads = 0): Promise<Built> {
  const file = join(root, `decoder-${built++}-${s.style}-${precision}-${fused ? 'fused' : 'plain'}.onnx`);
  const g = new Graph({ name: 'decoder', precision, dataFile: `${file}_data` });
  buildDecoderGraph(g, (k) => {
    const t = weights.get(k);
    if (!t) throw new Error(`test weights lack ${k}`);
    return t;
  }, s, { fused });
  g.save(file);
  const model = onnx.ModelProto.decode(readFileSync(file));
  const ops = new Map<string, number>();
  for (const n of model.graph.node) ops.set(n.opType, (ops.get(n.opType) ?? 0) + 1);
  const vi = (v: any) => `${v.name}:${v.type.tensorType.elemType}[${v.type.tensorType.shape.dim.map((d: any) => d.dimParam || String(d.dimValue)).join(',')}]`;
  const io = JSON.stringify({ in: model.graph.input.map(vi), out: model.graph.output.map(vi) });
  const session = await ort.InferenceSession.create(file, { executionProviders: ['cpu'], graphOptimizationLevel: 'all', intraOpNumThreads: threads });
  return { session, file, ops, io, spec: s, float: precision === 'fp16' ? 'float16' : 'float32' };
}

interface StepInput {
  embeds: Float32Array; // [B, T, H]
  mask: BigInt64Array; // [B, S]
  positions: BigInt64Array; // [B, T]
  B: number;
  T: number;
  S: number;
}

interface StepOutput {
  logits: Float32Array;
  logitsDims: readonly number[];
  present: Map<string, Float32Array>;
  /** The presents as returned, fed back as the next step's past. */
  past: Map<string, ort.Tensor>;
}

function feedsFor(m: Built, x: StepInput, past?: Map<string, ort.Tensor>): Record<string, ort.Tensor> {
  const s = m.spec;
  const feeds: Record<string, ort.Tensor> = {
    inputs_embeds: floatTensor(m.float, x.embeds, [x.B, x.T, s.hidden]),
    attention_mask: new ort.Tensor('int64', x.mask, [x.B, x.S]),
    position_ids: new ort.Tensor('int64', x.positions, [x.B, x.T]),
    num_logits_to_keep: new ort.Tensor('int64', BigInt64Array.of(1n), []),
  };
  const empty = m.float === 'float16' ? new Uint16Array(0) : new Float32Array(0);
  for (let i = 0; i < s.layers; i++) {
    for (const kv of ['key', 'value']) {
      const name = `past_key_values.${i}.${kv}`;
      feeds[name] = past?.get(name) ?? new ort.Tensor(m.float, empty, [x.B, s.kvHeads, 0, s.headDim]);
    }
  }
  return feeds;
}

/** present.{i}.* of a run, renamed past_key_values.{i}.* for the next step. */
function pastFrom(m: Built, out: Record<string, ort.Tensor>): Map<string, ort.Tensor> {
  const next = new Map<string, ort.Tensor>();
  for (let i = 0; i < m.spec.layers; i++) for (const kv of ['key', 'value']) next.set(`past_key_values.${i}.${kv}`, out[`present.${i}.${kv}`]);
  return next;
}

async function runStep(m: Built, x: StepInput, past?: Map<string, ort.Tensor>): Promise<StepOutput> {
  const s = m.spec;
  const out = await m.session.run(feedsFor(m, x, past));
  const present = new Map<string, Float32Array>();
  for (let i = 0; i < s.layers; i++) {
    for (const kv of ['key', 'value']) {
      const t = out[`present.${i}.${kv}`];
      expect(t.dims).toEqual([x.B, s.kvHeads, x.S, s.headDim]);
      present.set(`present.${i}.${kv}`, Float32Array.from(await hostFloats(t)));
    }
  }
  return { logits: Float32Array.from(await hostFloats(out.logits)), logitsDims: out.logits.dims, present, past: pastFrom(m, out) };
}

/** Left-padded rows of random embeddings, as generate.ts's leftPad lays them out (pads: zero embeddings, mask 0, position 1). */
function leftPadded(lens: number[], H: number, rnd: () => number): StepInput {
  const B = lens.length;
  const T = Math.max(...lens);
  const embeds = new Float32Array(B * T * H);
  const mask = new BigInt64Array(B * T);
  const positions = new BigInt64Array(B * T).fill(1n);
  for (let b = 0; b < B; b++) {
    const pad = T - lens[b];
    for (let t = 0; t < lens[b]; t++) {
      for (let h = 0; h < H; h++) embeds[(b * T + pad + t) * H + h] = rnd() * 2 - 1;
      mask[b * T + pad + t] = 1n;
      positions[b * T + pad + t] = BigInt(t);
    }
  }
  return { embeds, mask, positions, B, T, S: T };
}

/** The decode step after `prev`: one new random embedding per row, the mask grown by a 1, each row's next position. */
function decodeStep(prev: StepInput, next: number[], H: number, rnd: () => number): StepInput {
  const { B, S } = prev;
  const mask = new BigInt64Array(B * (S + 1));
  for (let b = 0; b < B; b++) {
    mask.set(prev.mask.subarray(b * S, (b + 1) * S), b * (S + 1));
    mask[b * (S + 1) + S] = 1n;
  }
  const embeds = Float32Array.from({ length: B * H }, () => rnd() * 2 - 1);
  return { embeds, mask, positions: BigInt64Array.from(next, BigInt), B, T: 1, S: S + 1 };
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = d; // NaN propagates
  }
  return m;
}

interface Gaps {
  logits: number;
  present: number;
  /** max |logit| of the first model, for scale. */
  scale: number;
}

/** Prefill + 3 decode steps on both graphs (each fed its own presents); the largest gaps over all steps. */
async function compare(a: Built, b: Built, seed: number): Promise<Gaps> {
  const H = a.spec.hidden;
  const rnd = seededRandom(seed);
  const lens = [5, 9, 7];
  let x = leftPadded(lens, H, rnd);
  const gaps: Gaps = { logits: 0, present: 0, scale: 0 };
  let pastA: Map<string, ort.Tensor> | undefined;
  let pastB: Map<string, ort.Tensor> | undefined;
  const pos = lens.slice();
  for (let step = 0; step < 4; step++) {
    const [oa, ob] = [await runStep(a, x, pastA), await runStep(b, x, pastB)];
    expect(oa.logitsDims).toEqual([3, 1, a.spec.vocab]);
    expect(ob.logitsDims).toEqual([3, 1, a.spec.vocab]);
    gaps.logits = Math.max(gaps.logits, maxAbsDiff(oa.logits, ob.logits));
    for (const v of oa.logits) gaps.scale = Math.max(gaps.scale, Math.abs(v));
    for (const [name, v] of oa.present) gaps.present = Math.max(gaps.present, maxAbsDiff(v, ob.present.get(name)!));
    pastA = oa.past;
    pastB = ob.past;
    x = decodeStep(x, pos, H, rnd);
    for (let r = 0; r < pos.length; r++) pos[r]++;
  }
  return gaps;
}

// ---------- the specs ----------

const BASE = { layers: 2, intermediate: 96, vocab: 101, eps: 1e-6, ropeTheta: 10000 };
const SPECS: { name: string; spec: DecoderSpec; attention: 'MultiHeadAttention' | 'plain' }[] = [
  { name: 'llama, kvHeads == heads', spec: { style: 'llama', hidden: 64, heads: 4, kvHeads: 4, headDim: 16, rotaryFraction: 1, ...BASE }, attention: 'MultiHeadAttention' },
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
          const fusedOps = ['SimplifiedLayerNormalization', 'SkipSimplifiedLayerNormalization', 'SkipLayerNormalization', 'RotaryEmbedding', 'MultiHeadAttention'];
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
          console.log(`decoder-fused ${c.name} ${precision}: fused vs plain max |diff| logits ${gaps.logits.toExponential(2)}, present ${gaps.present.toExponential(2)}; max |logit| ${gaps.scale.toFixed(2)} (${[...fused.ops].filter(([op]) => fusedOps.includes(op)).map(([op, n]) => `${op}×${n}`).join(', ')})`);
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
    await expect(runStep(m, leftPadded([10], spec.hidden, seededRandom(3)))).rejects.toThrow(/Updating cos_cache and sin_cache in RotaryEmbedding is not currently supported/);
    // Few tokens at positions past the cache.
    const x = leftPadded([2], spec.hidden, seededRandom(4));
    x.positions = BigInt64Array.of(8n, 9n);
    await expect(runStep(m, x)).rejects.toThrow(/position_ids value 8 at index 0 is out of range \[0, 8\)/);
    await m.session.release();
  });
});

// ---------- timing (reported, not asserted) ----------

describe('timing: plain vs fused, q4, batch 1', () => {
  it('prefill 256 tokens + 16 decode steps, hidden 512, 8 heads, 2 layers', { timeout: 300_000 }, async () => {
    const specs: DecoderSpec[] = [
      { style: 'llama', hidden: 512, layers: 2, heads: 8, kvHeads: 8, headDim: 64, intermediate: 1376, vocab: 2000, eps: 1e-6, ropeTheta: 10000, rotaryFraction: 1 },
      { style: 'llama', hidden: 512, layers: 2, heads: 8, kvHeads: 2, headDim: 64, intermediate: 1376, vocab: 2000, eps: 1e-6, ropeTheta: 10000, rotaryFraction: 1 },
      { style: 'persimmon', hidden: 512, layers: 2, heads: 8, kvHeads: 8, headDim: 64, intermediate: 2048, vocab: 2000, eps: 1e-5, ropeTheta: 25000, rotaryFraction: 0.5 },
    ];
    const PREFILL = 256;
    const DECODE = 16;
    const REPS = 5;
    for (const [si, spec] of specs.entries()) {
      const weights = randomWeights(spec, 900 + si);
      /** Best-of-REPS prefill and mean decode-step milliseconds of each model, the models run in alternation. */
      const time = async (models: Built[]) => {
        const best = models.map(() => ({ prefill: Infinity, decode: Infinity }));
        for (let rep = 0; rep <= REPS; rep++) {
          for (const [mi, m] of models.entries()) {
            const rnd = seededRandom(11 + rep);
            let x = leftPadded([PREFILL], spec.hidden, rnd);
            // Only session.run is timed (the feeds are built before, the outputs not read back).
            let feeds = feedsFor(m, x);
            let t0 = performance.now();
            let out = await m.session.run(feeds);
            const prefill = performance.now() - t0;
            let decode = 0;
            for (let k = 0; k < DECODE; k++) {
              x = decodeStep(x, [PREFILL + k], spec.hidden, rnd);
              feeds = feedsFor(m, x, pastFrom(m, out));
              t0 = performance.now();
              out = await m.session.run(feeds);
              decode += performance.now() - t0;
            }
            if (rep === 0) continue; // warm-up
            best[mi] = { prefill: Math.min(best[mi].prefill, prefill), decode: Math.min(best[mi].decode, decode / DECODE) };
          }
        }
        return best;
      };
      // Single-threaded the comparison is steadier on a small shared machine; default threads is what the runtime gets.
      for (const threads of [1, 0]) {
        const plain = await build(spec, weights, 'q4', false, threads);
        const fused = await build(spec, weights, 'q4', true, threads);
        const [tp, tf] = await time([plain, fused]);
        const label = `${spec.style} kvHeads ${spec.kvHeads}/${spec.heads}, ${threads ? `${threads} thread` : 'default threads'}`;
        console.log(
          `decoder-fused timing ${label} q4 (best of ${REPS}): prefill ${PREFILL} plain ${tp.prefill.toFixed(1)} ms, fused ${tf.prefill.toFixed(1)} ms (×${(tp.prefill / tf.prefill).toFixed(2)}); ` +
            `decode/token plain ${tp.decode.toFixed(2)} ms, fused ${tf.decode.toFixed(2)} ms (×${(tp.decode / tf.decode).toFixed(2)})`,
        );
        await plain.session.release();
        await fused.session.release();
      }
    }
  });
});
