// The one decoder builder: lays out every decoder family eve-eval runs (LLaMA for EVE and LLaVA,
// Persimmon for Fuyu) from its weights, as onnxruntime-genai's model builder does, into the bundle's
// decoder_model_merged contract (inputs_embeds, attention_mask, position_ids, past_key_values.{i}.* →
// logits, present.{i}.*) and the embed_tokens part. Two layouts of the same contract:
// - plain ONNX operators: the exact fp32 reference that HF transformers is checked against;
// - fused (opts.fused): onnxruntime's contrib operators where its CPU and WebGPU providers have them,
//   as genai lays models out (see buildFusedDecoder). Checked against the plain layout in
//   test/export/decoder-fused.test.ts.
import { aI, aIs, BOOL, FLOAT, INT64, type Graph, type Precision } from './onnx/graph.ts';
import {
  layerNorm,
  linear,
  mergeHeads,
  multiHeadAttention,
  rmsNorm,
  rotaryEmbedding,
  silu,
  simplifiedRmsNorm,
  skipLayerNorm,
  skipRmsNorm,
  splitHeads,
  type SkipNorm,
  type Tensor,
} from './onnx/layers.ts';

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
  /**
   * Rows of the fused layout's rotary cos/sin caches (set it from the config's max_position_embeddings):
   * a position at or beyond it fails at run time, never rotates wrongly (onnxruntime 1.30: "position_ids
   * value … is out of range", or, for a run with more new tokens than rows, "Updating cos_cache and
   * sin_cache in RotaryEmbedding is not currently supported"). Default DEFAULT_MAX_POSITIONS[style]; the
   * plain layout computes its tables from position_ids and has no limit.
   */
  maxPositions?: number;
}

/**
 * Rotary cache rows when the spec gives none: EVE-7B's model_max_length is 2048/4096 and LLaVA-1.5's
 * max_position_embeddings 4096; Fuyu-8B's max_position_embeddings is 16384. The caches cost
 * max_positions × R/2 × 4 bytes × 2 (Fuyu-8B: 16384 × 16 × 8 = 2 MiB; a LLaMA-7B: 4096 × 64 × 8 = 2 MiB).
 */
/** The decoder's shape as a bundle's config.json states it, for every family (the runtime lays out the KV cache from it). */
export function decoderConfigFields(s: DecoderSpec) {
  return {
    hidden_size: s.hidden,
    num_hidden_layers: s.layers,
    num_attention_heads: s.heads,
    num_key_value_heads: s.kvHeads,
    head_dim: s.headDim,
    intermediate_size: s.intermediate,
    ...(s.style === 'llama' ? { rms_norm_eps: s.eps } : { layer_norm_eps: s.eps }),
    rope_theta: s.ropeTheta,
    ...(s.style === 'persimmon' ? { partial_rotary_factor: s.rotaryFraction } : {}),
    vocab_size: s.vocab,
  };
}

export const DEFAULT_MAX_POSITIONS: Record<DecoderSpec['style'], number> = { llama: 4096, persimmon: 16384 };

export interface DecoderOptions {
  /** The fused-operator layout (default: plain operators). */
  fused?: boolean;
}

/**
 * Which layout an export writes per precision: fp32 stays the plain-operator graph, the exact
 * reference; fp16 and q4, the performance variants, get the fused layout. Measured in
 * test/export/decoder-fused.test.ts on onnxruntime-node 1.30 CPU: every fused op loads and the fused
 * fp32 graph is within ~3e-6 of the plain one (logits and presents, left-padded batch, prefill and
 * decode); at q4 on a 2-core CPU it is as fast or a few percent faster (the MatMuls dominate there).
 */
export function useFusedDecoder(precision: Precision): boolean {
  return precision === 'fp16' || precision === 'q4';
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
  // biome-ignore lint/style/useExponentiationOperator: the same call as the parity figures were measured with
  return Float32Array.from({ length: R / 2 }, (_, k) => 1 / Math.fround(Math.pow(theta, Math.fround((2 * k) / R))));
}

/**
 * The fused layout's rotary caches [maxPositions, R/2]: cos/sin of float32(p · inv_freq), the angle the
 * plain graph computes from position_ids.
 */
export function rotaryCaches(R: number, theta: number, maxPositions: number): { cos: Float32Array; sin: Float32Array } {
  const inv = inverseFrequencies(R, theta);
  const half = R / 2;
  const cos = new Float32Array(maxPositions * half);
  const sin = new Float32Array(maxPositions * half);
  for (let p = 0; p < maxPositions; p++) {
    for (let k = 0; k < half; k++) {
      const a = Math.fround(p * inv[k]);
      cos[p * half + k] = Math.cos(a);
      sin[p * half + k] = Math.sin(a);
    }
  }
  return { cos, sin };
}

interface Contract {
  x0: string;
  mask: string;
  pos: string;
}

/** The contract's inputs but num_logits_to_keep (declared last, after the layers). */
function declareInputs(g: Graph, s: DecoderSpec): Contract {
  const x0 = g.input('inputs_embeds', FLOAT, ['batch_size', 'sequence_length', s.hidden]);
  const mask = g.input('attention_mask', INT64, ['batch_size', 'total_sequence_length']);
  const pos = g.input('position_ids', INT64, ['batch_size', 'sequence_length']);
  for (let i = 0; i < s.layers; i++) {
    g.input(`past_key_values.${i}.key`, FLOAT, ['batch_size', s.kvHeads, 'past_sequence_length', s.headDim]);
    g.input(`past_key_values.${i}.value`, FLOAT, ['batch_size', s.kvHeads, 'past_sequence_length', s.headDim]);
  }
  return { x0, mask, pos };
}

/** Additive attention bias [B,1,T,S]: key j is visible to query i when j <= past + i and mask[j] = 1. */
function attentionBias(g: Graph, x0: string, mask: string): string {
  const T = g.op('Gather', [g.op('Shape', [x0]), g.i64([1])], [aI('axis', 0)]);
  const S = g.op('Gather', [g.op('Shape', [mask]), g.i64([1])], [aI('axis', 0)]);
  const P = g.op('Sub', [S, T]);
  const zero = g.scalarI64(0);
  const one = g.scalarI64(1);
  const jr = g.op('Range', [zero, g.op('Squeeze', [S]), one]);
  const ir = g.op('Add', [g.op('Range', [zero, g.op('Squeeze', [T]), one]), P]);
  const causal = g.op('LessOrEqual', [jr, g.op('Unsqueeze', [ir, g.i64([1])])]);
  const pad = g.op('Unsqueeze', [g.op('Cast', [mask], [aI('to', BOOL)]), g.i64([1, 2])]);
  return g.op('Where', [g.op('And', [causal, pad]), g.scalarF(0), g.scalarF(-1e9)]);
}

/** num_logits_to_keep and the Slice of x [B,T,·] to its last k positions. */
function keepLast(g: Graph): (x: string) => string {
  // num_logits_to_keep (as transformers.js feeds it): logits only for the last k positions, so a
  // 600-token prefill does not compute 600 × vocab logits to read one row.
  const keep = g.input('num_logits_to_keep', INT64, []);
  const start = g.op('Neg', [g.op('Unsqueeze', [keep, g.i64([0])])]);
  const end = g.i64([2 ** 53 - 1]);
  const axis = g.i64([1]);
  return (x) => g.op('Slice', [x, start, end, axis]);
}

function lmHead(g: Graph, w: WeightLookup, s: DecoderSpec, hf: string): void {
  g.op('Identity', [linear(g, hf, 'lm_head', w('lm_head.weight'))], [], 'logits');
  g.output('logits', FLOAT, ['batch_size', 'num_logits', s.vocab]);
}

function declarePresents(g: Graph, s: DecoderSpec, i: number): void {
  g.output(`present.${i}.key`, FLOAT, ['batch_size', s.kvHeads, 'total_sequence_length', s.headDim]);
  g.output(`present.${i}.value`, FLOAT, ['batch_size', s.kvHeads, 'total_sequence_length', s.headDim]);
}

/**
 * Plain-operator attention over q [B,NH,T,D] and the new k, v [B,KV,T,D]: appends them to the past
 * (giving present.{i}.*), repeats each KV head for its NH/KV query heads, and returns the context
 * [B,NH,T,D].
 */
function plainAttention(g: Graph, s: DecoderSpec, i: number, q: string, k: string, v: string, bias: string): string {
  const { heads: NH, kvHeads: KV, headDim: D } = s;
  const pk = g.op('Concat', [`past_key_values.${i}.key`, k], [aI('axis', 2)], `present.${i}.key`);
  const pv = g.op('Concat', [`past_key_values.${i}.value`, v], [aI('axis', 2)], `present.${i}.value`);
  declarePresents(g, s, i);
  // Grouped-query attention: each KV head serves NH/KV query heads.
  const rep = (t: string) =>
    NH === KV ? t : g.op('Reshape', [g.op('Expand', [g.op('Unsqueeze', [t, g.i64([2])]), g.i64([1, 1, NH / KV, 1, 1])]), g.i64([0, NH, -1, D])]);
  const scores = g.op('Add', [
    g.op('Mul', [g.op('MatMul', [q, g.op('Transpose', [rep(pk)], [aIs('perm', [0, 1, 3, 2])])]), g.scalarF(1 / Math.sqrt(D))]),
    bias,
  ]);
  const probs = g.op('Softmax', [scores], [aI('axis', -1)]);
  return g.op('MatMul', [probs, rep(pv)]);
}

export function buildDecoderGraph(g: Graph, w: WeightLookup, s: DecoderSpec, opts: DecoderOptions = {}): void {
  if (opts.fused) {
    buildFusedDecoder(g, w, s);
    return;
  }
  const { heads: NH, kvHeads: KV, headDim: D } = s;
  const { x0, pos, mask } = declareInputs(g, s);
  const bias = attentionBias(g, x0, mask);

  // Rotary tables from position_ids, so left-padded rows get the positions unpadded ones would.
  // inv_freq stays float32 at every precision: rounded to float16 it would turn the angles by up to
  // 0.12 rad at position 500 and 0.97 rad at 4000 (R 128, θ 1e4).
  const R = Math.round(D * s.rotaryFraction);
  const freqs = g.op('Mul', [
    g.op('Unsqueeze', [g.op('Cast', [pos], [aI('to', FLOAT)]), g.i64([-1])]),
    g.raw('inv_freq', [R / 2], FLOAT, inverseFrequencies(R, s.ropeTheta)),
  ]);
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
    const ctx = mergeHeads(g, plainAttention(g, s, i, q, k, v, bias), NH, D);
    x = g.op('Add', [x, proj(ctx, s.style === 'llama' ? `${p}.self_attn.o_proj` : `${p}.self_attn.dense`)]);
    const h2 = norm(x, `${p}.post_attention_layernorm`);
    x = g.op('Add', [x, mlp(g, w, s, p, h2)]);
  }
  const tail = keepLast(g)(x);
  lmHead(g, w, s, norm(tail, s.style === 'llama' ? 'norm' : 'final_layernorm'));
}

/** The MLP of layer `p` on its normed input: LLaMA's SwiGLU, Persimmon's relu². */
function mlp(g: Graph, w: WeightLookup, s: DecoderSpec, p: string, h: string): string {
  const proj = (x: string, name: string) => linear(g, x, name, w(`${name}.weight`), s.style === 'persimmon' ? w(`${name}.bias`) : undefined);
  if (s.style === 'llama') {
    const gate = silu(g, proj(h, `${p}.mlp.gate_proj`));
    return proj(g.op('Mul', [gate, proj(h, `${p}.mlp.up_proj`)]), `${p}.mlp.down_proj`);
  }
  // relu²
  const a = g.op('Relu', [proj(h, `${p}.mlp.dense_h_to_4h`)]);
  return proj(g.op('Mul', [a, a]), `${p}.mlp.dense_4h_to_h`);
}

/**
 * The fused layout, as onnxruntime-genai's builder lays a decoder out, with the same contract:
 * - norms: SimplifiedLayerNormalization (LLaMA's RMSNorm; plain LayerNormalization for Persimmon) where
 *   no residual precedes them (layer 0's input norm), else the residual Add fused into the next norm,
 *   SkipSimplifiedLayerNormalization / SkipLayerNormalization (com.microsoft), whose output 3 is the
 *   running residual; the final norm likewise, on the kept positions only;
 * - RotaryEmbedding (com.microsoft) on q and k [B,T,heads·D], our position_ids indexing float32 cos/sin
 *   caches [maxPositions, R/2] (Persimmon: rotary_embedding_dim R, the rest of each head passes
 *   through), so left-padded rows keep their per-row positions;
 * - MultiHeadAttention (com.microsoft) with our additive causal+padding bias [B,1,T,S] as
 *   attention_bias and past_key/past_value → present_key/present_value, when kvHeads == heads.
 *   Not GroupQueryAttention: it takes only per-row lengths, so it assumes right padding, and this
 *   runtime left-pads its batches.
 * - kvHeads < heads: MultiHeadAttention's past/present would be [B, heads, ·, D], not the contract's
 *   [B, kvHeads, ·, D], so that piece (KV cache append, head repeat, QKᵀ, softmax, ·V) stays plain
 *   operators, as in the plain layout.
 * - MatMulNBits in q4 graphs comes from linear(), as in the plain layout; Persimmon's q/k LayerNorms are
 *   plain LayerNormalization (GQA's fused q/k norm is RMS only, and we do not use GQA anyway).
 * Every fused op here computes in float32 (an fp16 graph's weights are Cast where they enter, and the
 * rotary caches stay float32): onnxruntime's CPU MultiHeadAttention is float32 only.
 */
function buildFusedDecoder(g: Graph, w: WeightLookup, s: DecoderSpec): void {
  const { heads: NH, kvHeads: KV, headDim: D } = s;
  const { x0, pos, mask } = declareInputs(g, s);
  const bias = attentionBias(g, x0, mask);
  const R = Math.round(D * s.rotaryFraction);
  const maxPositions = s.maxPositions ?? DEFAULT_MAX_POSITIONS[s.style];
  const caches = rotaryCaches(R, s.ropeTheta, maxPositions);
  const cos = g.raw('cos_cache', [maxPositions, R / 2], FLOAT, caches.cos);
  const sin = g.raw('sin_cache', [maxPositions, R / 2], FLOAT, caches.sin);

  const norm = (x: string, name: string): string =>
    s.style === 'llama' ? simplifiedRmsNorm(g, x, name, w(`${name}.weight`), s.eps) : layerNorm(g, x, name, w(`${name}.weight`), w(`${name}.bias`), s.eps);
  const skipNorm = (x: string, skip: string, name: string): SkipNorm =>
    s.style === 'llama'
      ? skipRmsNorm(g, x, skip, name, w(`${name}.weight`), s.eps)
      : skipLayerNorm(g, x, skip, name, w(`${name}.weight`), w(`${name}.bias`), s.eps);
  const proj = (x: string, name: string) => linear(g, x, name, w(`${name}.weight`), s.style === 'persimmon' ? w(`${name}.bias`) : undefined);
  const flat = (t: string, n: number) => g.op('Reshape', [t, g.i64([0, 0, n * D])]);

  let residual = x0;
  let pending: string | undefined; // the last sublayer's output, not yet added to the residual
  for (let i = 0; i < s.layers; i++) {
    const p = `layers.${i}`;
    let h: string;
    if (pending === undefined) h = norm(residual, `${p}.input_layernorm`);
    else ({ out: h, sum: residual } = skipNorm(pending, residual, `${p}.input_layernorm`));
    let q: string;
    let k: string;
    let v: string;
    if (s.style === 'llama') {
      q = proj(h, `${p}.self_attn.q_proj`);
      k = proj(h, `${p}.self_attn.k_proj`);
      v = proj(h, `${p}.self_attn.v_proj`);
    } else {
      // Persimmon's fused QKV rows are grouped per head as (q, k, v): view [B,T,NH,3,D] as HF does.
      const qkv = g.op('Reshape', [proj(h, `${p}.self_attn.query_key_value`), g.i64([0, 0, NH, 3, D])]);
      const part = (j: number) => g.op('Reshape', [g.op('Slice', [qkv, g.i64([j]), g.i64([j + 1]), g.i64([3])]), g.i64([0, 0, NH, D])]);
      const ln = (t: string, name: string) => layerNorm(g, t, name, w(`${name}.weight`), w(`${name}.bias`), s.eps);
      q = flat(ln(part(0), `${p}.self_attn.q_layernorm`), NH);
      k = flat(ln(part(1), `${p}.self_attn.k_layernorm`), NH);
      v = flat(part(2), NH);
    }
    q = rotaryEmbedding(g, q, pos, cos, sin, NH, D, R);
    k = rotaryEmbedding(g, k, pos, cos, sin, KV, D, R);
    let ctx: string;
    if (NH === KV) {
      const past = { key: `past_key_values.${i}.key`, value: `past_key_values.${i}.value` };
      const a = multiHeadAttention(g, q, k, v, bias, NH, 1 / Math.sqrt(D), past);
      g.op('Identity', [a.presentKey!], [], `present.${i}.key`);
      g.op('Identity', [a.presentValue!], [], `present.${i}.value`);
      declarePresents(g, s, i);
      ctx = a.out;
    } else {
      // Fallback (see above): the KV cache contract is [B, kvHeads, P, D].
      const heads = (t: string, n: number) => splitHeads(g, t, n, D);
      ctx = mergeHeads(g, plainAttention(g, s, i, heads(q, NH), heads(k, KV), heads(v, KV), bias), NH, D);
    }
    const attn = proj(ctx, s.style === 'llama' ? `${p}.self_attn.o_proj` : `${p}.self_attn.dense`);
    const post = skipNorm(attn, residual, `${p}.post_attention_layernorm`);
    residual = post.sum;
    pending = mlp(g, w, s, p, post.out);
  }
  const keep = keepLast(g);
  const finalName = s.style === 'llama' ? 'norm' : 'final_layernorm';
  const hf = pending === undefined ? norm(keep(residual), finalName) : skipNorm(keep(pending), keep(residual), finalName).out;
  lmHead(g, w, s, hf);
}

/** embed_tokens part: input_ids → inputs_embeds. The table stays float (q4 included), as genai does. */
export function buildEmbedGraph(g: Graph, table: Tensor): void {
  const [V, H] = table.shape;
  const ids = g.input('input_ids', INT64, ['batch_size', 'sequence_length']);
  const weight = g.precision === 'q4' ? g.raw('embed_tokens.weight', [V, H], FLOAT, table.data) : g.weight('embed_tokens.weight', [V, H], table.data);
  g.op('Gather', [weight, ids], [aI('axis', 0)], 'inputs_embeds');
  g.output('inputs_embeds', FLOAT, ['batch_size', 'sequence_length', H]);
}
