// Building the decoder in both layouts on random weights and running it step by step on onnxruntime-node's CPU:
// shared by the fused-vs-plain correctness test (test/export/decoder-fused.test.ts) and its timing bench
// (bench/decoder-fused.ts).
import { deepStrictEqual, strictEqual } from 'node:assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxPkg from 'onnx-proto';
import ort from 'onnxruntime-node';
import { buildDecoderGraph, type DecoderSpec } from '../../export/decoder.ts';
import { Graph, type Precision } from '../../export/onnx/graph.ts';
import type { Tensor } from '../../export/onnx/layers.ts';
import { seededRandom } from '../../core/prng.ts';
import { floatTensor, hostFloats } from '../../harness/runtime/generate.ts';

const { onnx } = onnxPkg as unknown as { onnx: any };

/** Where built graphs go; the caller removes it. */
export const root = mkdtempSync(join(tmpdir(), 'eve-decoder-fused-'));

// ---------- random weights ----------

export function weightShapes(s: DecoderSpec): Map<string, number[]> {
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
export function randomWeights(s: DecoderSpec, seed: number): Map<string, Tensor> {
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

export interface Built {
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
export async function build(s: DecoderSpec, weights: Map<string, Tensor>, precision: Precision, fused: boolean, threads = 0): Promise<Built> {
  const file = join(root, `decoder-${built++}-${s.style}-${precision}-${fused ? 'fused' : 'plain'}.onnx`);
  const g = new Graph({ name: 'decoder', precision, dataFile: `${file}_data` });
  buildDecoderGraph(
    g,
    (k) => {
      const t = weights.get(k);
      if (!t) throw new Error(`test weights lack ${k}`);
      return t;
    },
    s,
    { fused },
  );
  g.save(file);
  const model = onnx.ModelProto.decode(readFileSync(file));
  const ops = new Map<string, number>();
  for (const n of model.graph.node) ops.set(n.opType, (ops.get(n.opType) ?? 0) + 1);
  const vi = (v: any) => `${v.name}:${v.type.tensorType.elemType}[${v.type.tensorType.shape.dim.map((d: any) => d.dimParam || String(d.dimValue)).join(',')}]`;
  const io = JSON.stringify({ in: model.graph.input.map(vi), out: model.graph.output.map(vi) });
  const session = await ort.InferenceSession.create(file, { executionProviders: ['cpu'], graphOptimizationLevel: 'all', intraOpNumThreads: threads });
  return { session, file, ops, io, spec: s, float: precision === 'fp16' ? 'float16' : 'float32' };
}

export interface StepInput {
  embeds: Float32Array; // [B, T, H]
  mask: BigInt64Array; // [B, S]
  positions: BigInt64Array; // [B, T]
  B: number;
  T: number;
  S: number;
}

export interface StepOutput {
  logits: Float32Array;
  logitsDims: readonly number[];
  present: Map<string, Float32Array>;
  /** The presents as returned, fed back as the next step's past. */
  past: Map<string, ort.Tensor>;
}

export function feedsFor(m: Built, x: StepInput, past?: Map<string, ort.Tensor>): Record<string, ort.Tensor> {
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
export function pastFrom(m: Built, out: Record<string, ort.Tensor>): Map<string, ort.Tensor> {
  const next = new Map<string, ort.Tensor>();
  for (let i = 0; i < m.spec.layers; i++) for (const kv of ['key', 'value']) next.set(`past_key_values.${i}.${kv}`, out[`present.${i}.${kv}`]);
  return next;
}

export async function runStep(m: Built, x: StepInput, past?: Map<string, ort.Tensor>): Promise<StepOutput> {
  const s = m.spec;
  const out = await m.session.run(feedsFor(m, x, past));
  const present = new Map<string, Float32Array>();
  for (let i = 0; i < s.layers; i++) {
    for (const kv of ['key', 'value']) {
      const t = out[`present.${i}.${kv}`];
      deepStrictEqual(t.dims, [x.B, s.kvHeads, x.S, s.headDim]);
      present.set(`present.${i}.${kv}`, Float32Array.from(await hostFloats(t)));
    }
  }
  return { logits: Float32Array.from(await hostFloats(out.logits)), logitsDims: out.logits.dims, present, past: pastFrom(m, out) };
}

/** Left-padded rows of random embeddings, as generate.ts's leftPad lays them out (pads: zero embeddings, mask 0, position 1). */
export function leftPadded(lens: number[], H: number, rnd: () => number): StepInput {
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
export function decodeStep(prev: StepInput, next: number[], H: number, rnd: () => number): StepInput {
  const { B, S } = prev;
  const mask = new BigInt64Array(B * (S + 1));
  for (let b = 0; b < B; b++) {
    mask.set(prev.mask.subarray(b * S, (b + 1) * S), b * (S + 1));
    mask[b * (S + 1) + S] = 1n;
  }
  const embeds = Float32Array.from({ length: B * H }, () => rnd() * 2 - 1);
  return { embeds, mask, positions: BigInt64Array.from(next, BigInt), B, T: 1, S: S + 1 };
}

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  strictEqual(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = d; // NaN propagates
  }
  return m;
}

export interface Gaps {
  logits: number;
  present: number;
  /** max |logit| of the first model, for scale. */
  scale: number;
}

/** Prefill + 3 decode steps on both graphs (each fed its own presents); the largest gaps over all steps. */
export async function compare(a: Built, b: Built, seed: number): Promise<Gaps> {
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
    deepStrictEqual(oa.logitsDims, [3, 1, a.spec.vocab]);
    deepStrictEqual(ob.logitsDims, [3, 1, a.spec.vocab]);
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
