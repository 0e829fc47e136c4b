// The EVE (EVEv1) vision part as one ONNX graph: VisionTokenizer.forward followed by the mm_projector,
// for batch 1, after baaivision/EVE@cc63ec7 EVEv1/eve/model/multimodal_encoder/vision_tokenizer.py and
// multimodal_projector/builder.py (mlp2x_gelu). test/export/reference/eve_vision_tokenizer.py is the
// line-by-line PyTorch port the graph is checked against.
//
// I/O: pixel_values float [1, 4, S, S] (normalised RGB + the 0/1 mask of the real image region, see
// adapters/eve/index.ts) → image_embeds float [1, 1 + h·(w+1), llmHidden]: the class token, then each
// row's w tokens followed by the split token, all through the projector.
//
// Steps, as the reference does them:
//   1. patch_masks = avg_pool2d(mask, patch); the crop runs from torch.nonzero(patch_masks)[0] to [-1]
//      (row-major first and last nonzero cell: the bounding box of a rectangular region), or is
//      [:16, :16] when the mask is all zero. The crop is applied to the pixels before the
//      (non-overlapping, stride = kernel) patch convolution, which gives the same patch embeddings as
//      convolving the whole canvas and cropping after, at a fraction of the cost. Rows/columns past the
//      last whole conv_stride group are dropped, as the reference's avg_pool2d/unfold drop them.
//   2. LocalAttention: for each conv_stride×conv_stride group of patch embeddings, the query is
//      q(avg of the group) and the keys/values kv(each sub-patch); 8 heads; scale hidden^-0.5 (not
//      head_dim^-0.5); softmax over the group; residual = the averaged features (before LayerNorm).
//   3. GlobalAttention: the class embedding attends over all h·w LocalAttention outputs, same form.
//   4. Token layout and the mlp2x_gelu projector (Linear, exact GELU, Linear).
import { aI, aIs, FLOAT, type Graph } from '../../export/onnx/graph.ts';
import { gelu, layerNorm, linear, type Tensor } from '../../export/onnx/layers.ts';

export interface EveVisionSpec {
  /** Vision width C (mm_hidden_size; 1024 for EVE-7B). */
  hidden: number;
  /** LLM width (the projector's output; 4096 for EVE-7B). */
  llmHidden: number;
  /** patch_stride (14). */
  patch: number;
  /** conv_stride (2). */
  convStride: number;
  /** Attention heads of LocalAttention and GlobalAttention (8). */
  heads: number;
  /** LayerNorm epsilon: nn.LayerNorm's default 1e-5. */
  eps?: number;
}

/** The reference's no-image branch keeps patch_embeds[:, :, :16, :16]. */
const NO_IMAGE_CELLS = 16;

export function buildEveVisionGraph(g: Graph, w: (key: string) => Tensor, spec: EveVisionSpec): void {
  const { hidden: C, llmHidden: L, patch: p, convStride: cs, heads } = spec;
  const eps = spec.eps ?? 1e-5;
  for (const [k, v] of Object.entries({ hidden: C, llmHidden: L, patch: p, convStride: cs, heads })) {
    if (!Number.isInteger(v) || v <= 0) throw new Error(`EVE vision graph: ${k} must be a positive integer, got ${v}`);
  }
  if (C % heads !== 0) throw new Error(`EVE vision graph: hidden ${C} is not a multiple of heads ${heads}`);
  const d = C / heads;
  const N = cs * cs;
  const scale = C ** -0.5;

  const get = (key: string, shape: number[]): Tensor => {
    const t = w(key);
    if (t.shape.length !== shape.length || t.shape.some((v, i) => v !== shape[i])) {
      throw new Error(`EVE vision graph: ${key} has shape [${t.shape}], expected [${shape}]`);
    }
    return t;
  };
  const weight = (key: string, shape: number[], dims: number[]): string => g.weight(key, dims, get(key, shape).data);
  const ln = (x: string, name: string): string => layerNorm(g, x, name, get(`${name}.weight`, [C]), get(`${name}.bias`, [C]), eps);
  // A biased Linear as MatMul (or MatMulNBits) + Add. layers.ts linear(…, bias) would do the same for
  // fp32/fp16, but in a q4 graph it wires the bias into MatMulNBits' input 4 (g_idx, int32) instead of
  // input 5 (bias), which onnxruntime rejects; the separate Add is equivalent and works for all three.
  const linearBias = (x: string, name: string, out: number, inp: number): string =>
    linear(g, x, name, get(`${name}.weight`, [out, inp]), get(`${name}.bias`, [out]));

  const x = g.input('pixel_values', FLOAT, [1, 4, 'height', 'width']);

  // ---- 1. crop from the pooled mask ----
  const mask = g.op('Slice', [x, g.i64([3]), g.i64([4]), g.i64([1])]);
  const pooled = g.op('AveragePool', [mask], [aIs('kernel_shape', [p, p]), aIs('strides', [p, p])]); // [1,1,Hp,Wp]
  const gridHW = g.op('Slice', [g.op('Shape', [pooled]), g.i64([2]), g.i64([4]), g.i64([0])]); // [Hp, Wp]
  const wp = g.op('Slice', [gridHW, g.i64([1]), g.i64([2]), g.i64([0])]);
  const nonzero = g.op('Cast', [g.op('Not', [g.op('Equal', [g.op('Reshape', [pooled, g.i64([-1])]), g.scalarF(0)])])], [aI('to', FLOAT)]);
  // torch.nonzero lists cells in row-major order: [0] is the first nonzero cell, [-1] the last.
  const first = g.op('ArgMax', [nonzero], [aI('axis', 0), aI('keepdims', 1)]);
  const last = g.op('ArgMax', [nonzero], [aI('axis', 0), aI('keepdims', 1), aI('select_last_index', 1)]);
  const cell = (flat: string) => g.op('Concat', [g.op('Div', [flat, wp]), g.op('Mod', [flat, wp], [aI('fmod', 0)])], [aI('axis', 0)]); // [row, col]
  const hw1 = cell(first);
  const hw2 = cell(last);
  const hasImage = g.op('Greater', [g.op('ReduceMax', [nonzero], [aIs('axes', [0]), aI('keepdims', 1)]), g.scalarF(0)]); // [1]
  const start = g.op('Where', [hasImage, hw1, g.i64([0, 0])]);
  const extent = g.op('Where', [hasImage, g.op('Add', [g.op('Sub', [hw2, hw1]), g.i64([1])]), g.op('Min', [gridHW, g.i64([NO_IMAGE_CELLS, NO_IMAGE_CELLS])])]);
  const cells = g.op('Div', [extent, g.i64([cs])]); // [h, w] after LocalAttention's pooling
  const end = g.op('Add', [start, g.op('Mul', [cells, g.i64([cs])])]);
  const rgb = g.op('Slice', [
    x,
    g.op('Concat', [g.i64([0]), g.op('Mul', [start, g.i64([p])])], [aI('axis', 0)]),
    g.op('Concat', [g.i64([3]), g.op('Mul', [end, g.i64([p])])], [aI('axis', 0)]),
    g.i64([1, 2, 3]),
  ]);
  const patchEmbeds = g.op(
    'Conv',
    [rgb, weight('vision_tower.patch_embedding.weight', [C, 3, p, p], [C, 3, p, p])],
    [aIs('kernel_shape', [p, p]), aIs('strides', [p, p])],
  ); // [1,C,cs·h,cs·w]

  // ---- 2. LocalAttention ----
  const la = 'vision_tower.local_attention';
  const reduce = g.op('AveragePool', [patchEmbeds], [aIs('kernel_shape', [cs, cs]), aIs('strides', [cs, cs])]); // [1,C,h,w]
  const reduceSeq = g.op('Transpose', [g.op('Reshape', [reduce, g.i64([1, C, -1])])], [aIs('perm', [0, 2, 1])]); // [1,hw,C]
  const localQ = g.op('Reshape', [linear(g, ln(reduceSeq, `${la}.q.0`), `${la}.q.1`, get(`${la}.q.1.weight`, [C, C])), g.i64([1, -1, 1, heads, d])]); // [1,hw,1,heads,d]
  // The sub-patches of each group, row-major within the group (as unfold(2)…unfold(3) orders them):
  // SpaceToDepth puts sub-patch (r, c) of the group at channels (r·cs + c)·C + [0, C).
  const sub = g.op('Reshape', [
    g.op('Transpose', [g.op('Reshape', [g.op('SpaceToDepth', [patchEmbeds], [aI('blocksize', cs)]), g.i64([1, N * C, -1])])], [aIs('perm', [0, 2, 1])]),
    g.i64([1, -1, N, C]),
  ]); // [1,hw,N,C]
  const localKV = g.op('Reshape', [linear(g, ln(sub, `${la}.kv.0`), `${la}.kv.1`, get(`${la}.kv.1.weight`, [2 * C, C])), g.i64([1, -1, N, 2, heads, d])]);
  const localK = g.op('Gather', [localKV, g.scalarI64(0)], [aI('axis', 3)]); // [1,hw,N,heads,d]
  const localV = g.op('Gather', [localKV, g.scalarI64(1)], [aI('axis', 3)]);
  const localAttn = g.op(
    'Softmax',
    [g.op('ReduceSum', [g.op('Mul', [g.op('Mul', [localQ, g.scalarF(scale)]), localK]), g.i64([-1])], [aI('keepdims', 0)])],
    [aI('axis', 2)],
  ); // [1,hw,N,heads]
  const localAgg = g.op('Reshape', [
    g.op('ReduceSum', [g.op('Mul', [g.op('Unsqueeze', [localAttn, g.i64([-1])]), localV]), g.i64([2])], [aI('keepdims', 0)]),
    g.i64([1, -1, C]),
  ]); // [1,hw,C]
  const local = g.op('Add', [reduceSeq, linearBias(localAgg, `${la}.proj`, C, C)]);

  // ---- 3. GlobalAttention (the class token over all h·w local features) ----
  const ga = 'vision_tower.global_attention';
  const cls = weight('vision_tower.class_embedding', [C], [1, 1, C]);
  const globalQ = g.op('Reshape', [linear(g, ln(cls, `${ga}.q.0`), `${ga}.q.1`, get(`${ga}.q.1.weight`, [C, C])), g.i64([1, 1, heads, d])]);
  const globalKV = g.op('Reshape', [linear(g, ln(local, `${ga}.kv.0`), `${ga}.kv.1`, get(`${ga}.kv.1.weight`, [2 * C, C])), g.i64([1, -1, 2, heads, d])]);
  const globalK = g.op('Gather', [globalKV, g.scalarI64(0)], [aI('axis', 2)]); // [1,hw,heads,d]
  const globalV = g.op('Gather', [globalKV, g.scalarI64(1)], [aI('axis', 2)]);
  const globalAttn = g.op(
    'Softmax',
    [g.op('ReduceSum', [g.op('Mul', [g.op('Mul', [globalQ, g.scalarF(scale)]), globalK]), g.i64([-1])], [aI('keepdims', 0)])],
    [aI('axis', 1)],
  ); // [1,hw,heads]
  const globalAgg = g.op('Reshape', [
    g.op('ReduceSum', [g.op('Mul', [g.op('Unsqueeze', [globalAttn, g.i64([-1])]), globalV]), g.i64([1])], [aI('keepdims', 0)]),
    g.i64([1, 1, C]),
  ]);
  const classToken = g.op('Add', [cls, linearBias(globalAgg, `${ga}.proj`, C, C)]); // [1,1,C]

  // ---- 4. layout: class token, then each row's w tokens and a split token; the projector ----
  const rowsOf = g.op('Slice', [cells, g.i64([0]), g.i64([1]), g.i64([0])]);
  const grid = g.op('Reshape', [local, g.op('Concat', [g.i64([1]), cells, g.i64([C])], [aI('axis', 0)])]); // [1,h,w,C]
  const split = g.op('Expand', [
    weight('vision_tower.split_embedding', [C], [1, 1, 1, C]),
    g.op('Concat', [g.i64([1]), rowsOf, g.i64([1, C])], [aI('axis', 0)]),
  ]);
  const rows = g.op('Reshape', [g.op('Concat', [grid, split], [aI('axis', 2)]), g.i64([1, -1, C])]);
  const tokens = g.op('Concat', [classToken, rows], [aI('axis', 1)]);
  const out = linearBias(gelu(g, linearBias(tokens, 'mm_projector.0', L, C)), 'mm_projector.2', L, L);
  g.op('Identity', [out], [], 'image_embeds');
  g.output('image_embeds', FLOAT, [1, 'num_image_tokens', L]);
}
