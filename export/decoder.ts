// The one decoder builder: lays out every decoder family eve-eval runs (LLaMA for EVE and LLaVA,
// Persimmon for Fuyu) from its weights, as onnxruntime-genai's model builder does, into the bundle's
// decoder_model_merged contract (inputs_embeds, attention_mask, position_ids, past_key_values.{i}.* →
// logits, present.{i}.*) and the embed_tokens part. Plain ONNX operators: the exact fp32 reference
// that HF transformers is checked against.
import { aI, aIs, BOOL, FLOAT, INT64, type Graph } from './onnx/graph.ts';
import { layerNorm, linear, mergeHeads, rmsNorm, silu, splitHeads, type Tensor } from './onnx/layers.ts';

export interface DecoderSpec {
  style: 'llama' | 'persimmon';
  hidden: number;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  intermediate: number;
  vocab: number;
  eps: number;
  ropeTheta: number;
  /** Share of head_dim that is rotated (Persimmon: 0.5). */
  rotaryFraction: number;
}

/**
 * Canonical weight names the builder asks for (the family maps them onto its checkpoint's keys):
 * llama: layers.{i}.{input_layernorm, post_attention_layernorm}.weight, layers.{i}.self_attn.{q,k,v,o}_proj.weight,
 *        layers.{i}.mlp.{gate,up,down}_proj.weight, norm.weight, lm_head.weight
 * persimmon: layers.{i}.{input,post_attention}_layernorm.{weight,bias}, layers.{i}.self_attn.query_key_value.*,
 *        layers.{i}.self_attn.{q,k}_layernorm.*, layers.{i}.self_attn.dense.*, layers.{i}.mlp.dense_{h_to_4h,4h_to_h}.*,
 *        final_layernorm.*, lm_head.weight
 * embed: embed_tokens.weight
 */
export type WeightLookup = (canonical: string) => Tensor;

/** Rotary embedding of x [B,h,T,D] with cos/sin [B,1,T,R] over its first R dims, rotate-half as HF does. */
function rope(g: Graph, x: string, cos: string, sin: string, D: number, R: number): string {
  const rot = R === D ? x : g.op('Slice', [x, g.i64([0]), g.i64([R]), g.i64([3])]);
  const x1 = g.op('Slice', [rot, g.i64([0]), g.i64([R / 2]), g.i64([3])]);
  const x2 = g.op('Slice', [rot, g.i64([R / 2]), g.i64([R]), g.i64([3])]);
  const half = g.op('Concat', [g.op('Neg', [x2]), x1], [aI('axis', 3)]);
  const y = g.op('Add', [g.op('Mul', [rot, cos]), g.op('Mul', [half, sin])]);
  if (R === D) return y;
  const pass = g.op('Slice', [x, g.i64([R]), g.i64([D]), g.i64([3])]);
  return g.op('Concat', [y, pass], [aI('axis', 3)]);
}

/** inv_freq as HF computes it: 1 / base^(arange(0, R, 2) / R) in float32. */
export function inverseFrequencies(R: number, theta: number): Float32Array {
  return Float32Array.from({ length: R / 2 }, (_, k) => 1 / Math.fround(Math.pow(theta, Math.fround((2 * k) / R))));
}

export function buildDecoderGraph(g: Graph, w: WeightLookup, s: DecoderSpec): void {
  const { hidden: H, heads: NH, kvHeads: KV, headDim: D } = s;
  const x0 = g.input('inputs_embeds', FLOAT, ['batch_size', 'sequence_length', H]);
  const mask = g.input('attention_mask', INT64, ['batch_size', 'total_sequence_length']);
  const pos = g.input('position_ids', INT64, ['batch_size', 'sequence_length']);
  for (let i = 0; i < s.layers; i++) {
    g.input(`past_key_values.${i}.key`, FLOAT, ['batch_size', KV, 'past_sequence_length', D]);
    g.input(`past_key_values.${i}.value`, FLOAT, ['batch_size', KV, 'past_sequence_length', D]);
  }

  // Additive attention bias [B,1,T,S]: key j is visible to query i when j <= past + i and mask[j] = 1.
  const T = g.op('Gather', [g.op('Shape', [x0]), g.i64([1])], [aI('axis', 0)]);
  const S = g.op('Gather', [g.op('Shape', [mask]), g.i64([1])], [aI('axis', 0)]);
  const P = g.op('Sub', [S, T]);
  const zero = g.scalarI64(0);
  const one = g.scalarI64(1);
  const jr = g.op('Range', [zero, g.op('Squeeze', [S]), one]);
  const ir = g.op('Add', [g.op('Range', [zero, g.op('Squeeze', [T]), one]), P]);
  const causal = g.op('LessOrEqual', [jr, g.op('Unsqueeze', [ir, g.i64([1])])]);
  const pad = g.op('Unsqueeze', [g.op('Cast', [mask], [aI('to', BOOL)]), g.i64([1, 2])]);
  const bias = g.op('Where', [g.op('And', [causal, pad]), g.scalarF(0), g.scalarF(-1e9)]);

  // Rotary tables from position_ids, so left-padded rows get the positions unpadded ones would.
  const R = Math.round(D * s.rotaryFraction);
  const freqs = g.op('Mul', [g.op('Unsqueeze', [g.op('Cast', [pos], [aI('to', FLOAT)]), g.i64([-1])]), g.weight('inv_freq', [R / 2], inverseFrequencies(R, s.ropeTheta))]);
  const emb = g.op('Concat', [freqs, freqs], [aI('axis', -1)]);
  const cos = g.op('Unsqueeze', [g.op('Cos', [emb]), g.i64([1])]);
  const sin = g.op('Unsqueeze', [g.op('Sin', [emb]), g.i64([1])]);

  const norm = (x: string, name: string) =>
    s.style === 'llama' ? rmsNorm(g, x, name, w(`${name}.weight`), s.eps) : layerNorm(g, x, name, w(`${name}.weight`), w(`${name}.bias`), s.eps);
  const proj = (x: string, name: string) => linear(g, x, name, w(`${name}.weight`), s.style === 'persimmon' ? w(`${name}.bias`) : undefined);

  let x = x0;
  for (let i = 0; i < s.layers; i++) {
    const p = `layers.${i}`;
    const h = norm(x, `${p}.input_layernorm`);
    let q: string;
    let k: string;
    let v: string;
    if (s.style === 'llama') {
      q = splitHeads(g, proj(h, `${p}.self_attn.q_proj`), NH, D);
      k = splitHeads(g, proj(h, `${p}.self_attn.k_proj`), KV, D);
      v = splitHeads(g, proj(h, `${p}.self_attn.v_proj`), KV, D);
    } else {
      // Persimmon's fused QKV rows are grouped per head as (q, k, v): view [B,T,NH,3,D] as HF does.
      const qkv = g.op('Reshape', [proj(h, `${p}.self_attn.query_key_value`), g.i64([0, 0, NH, 3, D])]);
      const part = (j: number) => g.op('Reshape', [g.op('Slice', [qkv, g.i64([j]), g.i64([j + 1]), g.i64([3])]), g.i64([0, 0, NH, D])]);
      const heads = (t: string) => g.op('Transpose', [t], [aIs('perm', [0, 2, 1, 3])]);
      const ln = (t: string, name: string) => layerNorm(g, t, name, w(`${name}.weight`), w(`${name}.bias`), s.eps);
      q = heads(ln(part(0), `${p}.self_attn.q_layernorm`));
      k = heads(ln(part(1), `${p}.self_attn.k_layernorm`));
      v = heads(part(2));
    }
    q = rope(g, q, cos, sin, D, R);
    k = rope(g, k, cos, sin, D, R);
    const pk = g.op('Concat', [`past_key_values.${i}.key`, k], [aI('axis', 2)], `present.${i}.key`);
    const pv = g.op('Concat', [`past_key_values.${i}.value`, v], [aI('axis', 2)], `present.${i}.value`);
    g.output(`present.${i}.key`, FLOAT, ['batch_size', KV, 'total_sequence_length', D]);
    g.output(`present.${i}.value`, FLOAT, ['batch_size', KV, 'total_sequence_length', D]);
    // Grouped-query attention: each KV head serves NH/KV query heads.
    const rep = (t: string) =>
      NH === KV ? t : g.op('Reshape', [g.op('Expand', [g.op('Unsqueeze', [t, g.i64([2])]), g.i64([1, 1, NH / KV, 1, 1])]), g.i64([0, NH, -1, D])]);
    const scores = g.op('Add', [g.op('Mul', [g.op('MatMul', [q, g.op('Transpose', [rep(pk)], [aIs('perm', [0, 1, 3, 2])])]), g.scalarF(1 / Math.sqrt(D))]), bias]);
    const probs = g.op('Softmax', [scores], [aI('axis', -1)]);
    const ctx = mergeHeads(g, g.op('MatMul', [probs, rep(pv)]), NH, D);
    x = g.op('Add', [x, proj(ctx, s.style === 'llama' ? `${p}.self_attn.o_proj` : `${p}.self_attn.dense`)]);
    const h2 = norm(x, `${p}.post_attention_layernorm`);
    let m: string;
    if (s.style === 'llama') {
      const gate = silu(g, proj(h2, `${p}.mlp.gate_proj`));
      m = proj(g.op('Mul', [gate, proj(h2, `${p}.mlp.up_proj`)]), `${p}.mlp.down_proj`);
    } else {
      // relu²
      const a = g.op('Relu', [proj(h2, `${p}.mlp.dense_h_to_4h`)]);
      m = proj(g.op('Mul', [a, a]), `${p}.mlp.dense_4h_to_h`);
    }
    x = g.op('Add', [x, m]);
  }
  // num_logits_to_keep (as transformers.js feeds it): logits only for the last k positions, so a
  // 600-token prefill does not compute 600 × vocab logits to read one row.
  const keep = g.input('num_logits_to_keep', INT64, []);
  const tail = g.op('Slice', [x, g.op('Neg', [g.op('Unsqueeze', [keep, g.i64([0])])]), g.i64([2 ** 53 - 1]), g.i64([1])]);
  const hf = norm(tail, s.style === 'llama' ? 'norm' : 'final_layernorm');
  g.op('Identity', [linear(g, hf, 'lm_head', w('lm_head.weight'))], [], 'logits');
  g.output('logits', FLOAT, ['batch_size', 'num_logits', s.vocab]);
}

/** embed_tokens part: input_ids → inputs_embeds. The table stays float (q4 included), as genai does. */
export function buildEmbedGraph(g: Graph, table: Tensor): void {
  const [V, H] = table.shape;
  const ids = g.input('input_ids', INT64, ['batch_size', 'sequence_length']);
  const weight = g.precision === 'q4' ? g.raw('embed_tokens.weight', [V, H], FLOAT, table.data) : g.weight('embed_tokens.weight', [V, H], table.data);
  g.op('Gather', [weight, ids], [aI('axis', 0)], 'inputs_embeds');
  g.output('inputs_embeds', FLOAT, ['batch_size', 'sequence_length', H]);
}

