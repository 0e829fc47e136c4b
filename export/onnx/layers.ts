// Layers shared by every architecture, on the one graph builder. Weights come as PyTorch stores
// them (Linear: [out, in]); the layer lays them out for the op it emits.
import { aF, aI, aIs, FLOAT, MS_DOMAIN, UINT8, type Graph } from './graph.ts';
import { quantizeQ4 } from './quantize.ts';

/** A tensor as read from a checkpoint: row-major float32 with its PyTorch shape. */
export interface Tensor {
  data: Float32Array;
  shape: number[];
}

export function transpose2d(w: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = w[r * cols + c];
  return out;
}

const Q4_BLOCK = 32;

/**
 * y = x Wᵀ + b for a PyTorch Linear weight W [out, in]. In a q4 graph, as onnxruntime-genai's builder
 * does, every Linear becomes MatMulNBits (4-bit, block 32, symmetric; accuracy_level 4 lets the CPU
 * provider use int8 activations); elsewhere a MatMul against Wᵀ.
 */
export function linear(g: Graph, x: string, name: string, w: Tensor, bias?: Tensor): string {
  const [N, K] = w.shape;
  if (w.shape.length !== 2) throw new Error(`${name}: a Linear weight must be 2-D, got [${w.shape}]`);
  if (bias && (bias.shape.length !== 1 || bias.shape[0] !== N)) throw new Error(`${name}: bias shape [${bias.shape}] does not match weight [${w.shape}]`);
  if (g.precision === 'q4') {
    const q = quantizeQ4(w.data, N, K, Q4_BLOCK);
    const inputs = [
      x,
      g.raw(`${name}.weight_q4`, [N, q.kBlocks, Q4_BLOCK / 2], UINT8, q.packed),
      g.raw(`${name}.weight_scales`, [N * q.kBlocks], FLOAT, q.scales),
    ];
    // Inputs 3 and 4 are zero_points and g_idx; the bias is input 5.
    if (bias) inputs.push('', '', g.raw(`${name}.bias`, [N], FLOAT, bias.data));
    return g.op('MatMulNBits', inputs, [aI('K', K), aI('N', N), aI('bits', 4), aI('block_size', Q4_BLOCK), aI('accuracy_level', 4)], undefined, MS_DOMAIN);
  }
  const y = g.op('MatMul', [x, g.weight(`${name}.weight`, [K, N], transpose2d(w.data, N, K))]);
  return bias ? g.op('Add', [y, g.weight(`${name}.bias`, [N], bias.data)]) : y;
}

export function rmsNorm(g: Graph, x: string, name: string, weight: Tensor, eps: number): string {
  const ms = g.op('ReduceMean', [g.op('Mul', [x, x])], [aIs('axes', [-1]), aI('keepdims', 1)]);
  const inv = g.op('Reciprocal', [g.op('Sqrt', [g.op('Add', [ms, g.scalarF(eps)])])]);
  return g.op('Mul', [g.op('Mul', [x, inv]), g.weight(`${name}.weight`, weight.shape, weight.data)]);
}

export function layerNorm(g: Graph, x: string, name: string, weight: Tensor, bias: Tensor, eps: number): string {
  return g.op(
    'LayerNormalization',
    [x, g.weight(`${name}.weight`, weight.shape, weight.data), g.weight(`${name}.bias`, bias.shape, bias.data)],
    [aI('axis', -1), aF('epsilon', eps)],
  );
}

/** Exact (erf) GELU: nn.GELU(), as the mlp2x_gelu projectors use. */
export function gelu(g: Graph, x: string): string {
  const e = g.op('Erf', [g.op('Mul', [x, g.scalarF(Math.SQRT1_2)])]);
  return g.op('Mul', [g.op('Mul', [x, g.scalarF(0.5)]), g.op('Add', [e, g.scalarF(1)])]);
}

/** CLIP's quick_gelu: x·σ(1.702x). */
export function quickGelu(g: Graph, x: string): string {
  return g.op('Mul', [x, g.op('Sigmoid', [g.op('Mul', [x, g.scalarF(1.702)])])]);
}

export function silu(g: Graph, x: string): string {
  return g.op('Mul', [x, g.op('Sigmoid', [x])]);
}

/** [B, T, n·d] → [B, n, T, d]. */
export function splitHeads(g: Graph, x: string, n: number, d: number): string {
  return g.op('Transpose', [g.op('Reshape', [x, g.i64([0, 0, n, d])])], [aIs('perm', [0, 2, 1, 3])]);
}

/** [B, n, T, d] → [B, T, n·d]. */
export function mergeHeads(g: Graph, x: string, n: number, d: number): string {
  return g.op('Reshape', [g.op('Transpose', [x], [aIs('perm', [0, 2, 1, 3])]), g.i64([0, 0, n * d])]);
}

/** The mlp2x_gelu projector (Linear → GELU → Linear) that EVE and LLaVA-1.5 share. */
export function mlp2xGelu(g: Graph, x: string, name: string, w0: Tensor, b0: Tensor, w2: Tensor, b2: Tensor): string {
  return linear(g, gelu(g, linear(g, x, `${name}.0`, w0, b0)), `${name}.2`, w2, b2);
}

// ---------- onnxruntime fused operators (the fused decoder layout; see export/decoder.ts) ----------

/**
 * RMSNorm as one SimplifiedLayerNormalization node: an onnxruntime-only op that onnxruntime registers in
 * the ONNX domain (""), since version 1, so it resolves under the graph's opset 17. stash_type 1:
 * float32 accumulation.
 */
export function simplifiedRmsNorm(g: Graph, x: string, name: string, weight: Tensor, eps: number): string {
  return g.op(
    'SimplifiedLayerNormalization',
    [x, g.weight(`${name}.weight`, weight.shape, weight.data)],
    [aI('axis', -1), aF('epsilon', eps), aI('stash_type', 1)],
  );
}

/** A fused residual add and the next norm: `out` = norm(x + skip), `sum` = x + skip (the new residual). */
export interface SkipNorm {
  out: string;
  sum: string;
}

/** SkipSimplifiedLayerNormalization (com.microsoft): RMSNorm(x + skip) and the sum (its output 3). */
export function skipRmsNorm(g: Graph, x: string, skip: string, name: string, weight: Tensor, eps: number): SkipNorm {
  const [out, , , sum] = g.opN(
    'SkipSimplifiedLayerNormalization',
    [x, skip, g.weight(`${name}.weight`, weight.shape, weight.data)],
    4,
    [aF('epsilon', eps)],
    MS_DOMAIN,
  );
  return { out, sum };
}

/** SkipLayerNormalization (com.microsoft): LayerNorm(x + skip) with bias, and the sum (its output 3). */
export function skipLayerNorm(g: Graph, x: string, skip: string, name: string, weight: Tensor, bias: Tensor, eps: number): SkipNorm {
  const inputs = [x, skip, g.weight(`${name}.weight`, weight.shape, weight.data), g.weight(`${name}.bias`, bias.shape, bias.data)];
  const [out, , , sum] = g.opN('SkipLayerNormalization', inputs, 4, [aF('epsilon', eps)], MS_DOMAIN);
  return { out, sum };
}

/**
 * RotaryEmbedding (com.microsoft), rotate-half (interleaved 0), on x [B, S, heads·D] with int64
 * position_ids [B, S] indexing cos/sin caches [max_positions, R/2]. With R < D only the first R dims of
 * each head rotate and the rest pass through (Persimmon's partial rotary). onnxruntime rejects a
 * position outside the cache ("position_ids value … is out of range").
 */
export function rotaryEmbedding(g: Graph, x: string, positionIds: string, cosCache: string, sinCache: string, heads: number, D: number, R: number): string {
  const attrs = [aI('interleaved', 0), aI('num_heads', heads)];
  if (R !== D) attrs.push(aI('rotary_embedding_dim', R));
  return g.op('RotaryEmbedding', [x, positionIds, cosCache, sinCache], attrs, undefined, MS_DOMAIN);
}

/** The outputs of multiHeadAttention: the context [B, S, heads·D] and, with a past, the presents [B, heads, P+S, D]. */
export interface Attended {
  out: string;
  presentKey?: string;
  presentValue?: string;
}

/**
 * MultiHeadAttention (com.microsoft): query [B, S, heads·D]; key/value either [B, S, heads·D] (with
 * past [B, heads, P, D] appended before them, giving the presents) or, without a past, already whole in
 * BNSH [B, heads, P+S, D]; an additive attention_bias [B or 1, 1 or heads, S, P+S]. The scale is given
 * explicitly (1/√D is the op's default too).
 */
export function multiHeadAttention(
  g: Graph,
  q: string,
  k: string,
  v: string,
  attentionBias: string,
  heads: number,
  scale: number,
  past?: { key: string; value: string },
): Attended {
  const inputs = [q, k, v, '', '', attentionBias];
  if (past) inputs.push(past.key, past.value);
  const [out, presentKey, presentValue] = g.opN('MultiHeadAttention', inputs, past ? 3 : 1, [aI('num_heads', heads), aF('scale', scale)], MS_DOMAIN);
  return { out, presentKey, presentValue };
}

export { FLOAT };
