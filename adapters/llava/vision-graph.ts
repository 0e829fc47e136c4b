// LLaVA-1.5's vision part as one ONNX graph: CLIP ViT (HF CLIPVisionModel, transformers 4.44.2
// modeling_clip.py) up to the feature layer, minus CLS, then the mlp2x_gelu projector.
//   embeddings = [class_embedding; Conv(patch, stride patch, no bias)ᵀ] + position_embedding
//   h₀ = pre_layrnorm(embeddings)                              (hidden_states[0])
//   hᵢ₊₁ = hᵢ + out_proj(attn(layer_norm1(hᵢ))); hᵢ₊₁ += fc2(act(fc1(layer_norm2(hᵢ₊₁))))
//   image_embeds = mm_projector(h_f[:, 1:])                    (f = L + 1 + featureLayer when negative)
// Layers past the feature layer and post_layernorm never reach the output, so they are not in the graph.
import { aI, aIs, FLOAT, type Graph } from '../../export/onnx/graph.ts';
import { gelu, layerNorm, linear, mlp2xGelu, mergeHeads, quickGelu, splitHeads, type Tensor } from '../../export/onnx/layers.ts';

export interface ClipVisionSpec {
  hidden: number;
  heads: number;
  layers: number;
  intermediate: number;
  imageSize: number;
  patch: number;
  eps: number;
  /** Width of the projector's output (the language model's hidden size). */
  llmHidden: number;
  /** Index into HF's hidden_states (length layers + 1); LLaVA-1.5 uses −2. */
  featureLayer: number;
  hiddenAct: 'quick_gelu' | 'gelu';
}

const EMB = 'vision_model.embeddings';
const ENC = 'vision_model.encoder.layers';

/** How many encoder layers run before hidden_states[featureLayer]: hidden_states[k] is the output of k layers. */
export function clipLayersRun(spec: ClipVisionSpec): number {
  const n = spec.featureLayer < 0 ? spec.layers + 1 + spec.featureLayer : spec.featureLayer;
  if (!Number.isInteger(n) || n < 0 || n > spec.layers) {
    throw new Error(`CLIP vision: feature layer ${spec.featureLayer} is outside hidden_states (${spec.layers + 1} entries)`);
  }
  return n;
}

/** Image tokens the graph gives: (imageSize / patch)², CLS dropped. */
export function clipImageTokens(spec: ClipVisionSpec): number {
  return Math.floor(spec.imageSize / spec.patch) ** 2;
}

function layerKeys(i: number): string[] {
  const p = `${ENC}.${i}`;
  const keys: string[] = [];
  for (const m of ['layer_norm1', 'self_attn.q_proj', 'self_attn.k_proj', 'self_attn.v_proj', 'self_attn.out_proj', 'layer_norm2', 'mlp.fc1', 'mlp.fc2']) {
    keys.push(`${p}.${m}.weight`, `${p}.${m}.bias`);
  }
  return keys;
}

/** The canonical keys buildClipVisionGraph reads, in the order it reads them. */
export function clipKeysUsed(spec: ClipVisionSpec): string[] {
  const keys = [
    `${EMB}.class_embedding`,
    `${EMB}.patch_embedding.weight`,
    `${EMB}.position_embedding.weight`,
    'vision_model.pre_layrnorm.weight',
    'vision_model.pre_layrnorm.bias',
  ];
  for (let i = 0; i < clipLayersRun(spec); i++) keys.push(...layerKeys(i));
  keys.push('mm_projector.0.weight', 'mm_projector.0.bias', 'mm_projector.2.weight', 'mm_projector.2.bias');
  return keys;
}

/**
 * Canonical vision keys a full checkpoint has that the graph does not need: the layers after the
 * feature layer, post_layernorm, and the position_ids buffer older files carry.
 */
export function clipKeysUnusedByDesign(spec: ClipVisionSpec): string[] {
  const keys: string[] = [];
  for (let i = clipLayersRun(spec); i < spec.layers; i++) keys.push(...layerKeys(i));
  keys.push('vision_model.post_layernorm.weight', 'vision_model.post_layernorm.bias', `${EMB}.position_ids`);
  return keys;
}

function checkShape(key: string, t: Tensor, want: number[]): Tensor {
  const ok = t.shape.length === want.length && t.shape.every((d, k) => d === want[k]);
  if (!ok) throw new Error(`CLIP vision: ${key} has shape [${t.shape}], expected [${want}]`);
  if (t.data.length !== want.reduce((a, b) => a * b, 1)) throw new Error(`CLIP vision: ${key} has ${t.data.length} values for shape [${want}]`);
  return t;
}

/**
 * Adds the vision part to `g`: input `pixel_values` FLOAT [1, 3, imageSize, imageSize], output
 * `image_embeds` FLOAT [1, (imageSize/patch)², llmHidden]. `w` gives each canonical key's tensor in
 * PyTorch layout (clipKeysUsed lists them).
 */
export function buildClipVisionGraph(g: Graph, w: (key: string) => Tensor, spec: ClipVisionSpec): void {
  const { hidden: C, heads: H, intermediate: I, imageSize: S, patch: P, eps, llmHidden } = spec;
  if (C % H !== 0) throw new Error(`CLIP vision: hidden ${C} is not a multiple of ${H} heads`);
  if (S % P !== 0) throw new Error(`CLIP vision: image size ${S} is not a multiple of patch ${P}`);
  const d = C / H;
  const N = clipImageTokens(spec);
  const T = N + 1;
  const run = clipLayersRun(spec);
  const get = (key: string, shape: number[]): Tensor => checkShape(key, w(key), shape);

  // Embeddings. The class embedding is stored [C]; as an initializer it is laid out [1, 1, C] for Concat.
  const x = g.input('pixel_values', FLOAT, [1, 3, S, S]);
  const cls = get(`${EMB}.class_embedding`, [C]);
  const conv = get(`${EMB}.patch_embedding.weight`, [C, 3, P, P]);
  const pos = get(`${EMB}.position_embedding.weight`, [T, C]);
  const patches = g.op('Conv', [x, g.weight(`${EMB}.patch_embedding.weight`, conv.shape, conv.data)], [aIs('kernel_shape', [P, P]), aIs('strides', [P, P])]);
  const seq = g.op('Transpose', [g.op('Reshape', [patches, g.i64([1, C, N])])], [aIs('perm', [0, 2, 1])]);
  const tokens = g.op('Concat', [g.weight(`${EMB}.class_embedding`, [1, 1, C], cls.data), seq], [aI('axis', 1)]);
  const emb = g.op('Add', [tokens, g.weight(`${EMB}.position_embedding.weight`, pos.shape, pos.data)]);
  let h = layerNorm(g, emb, 'vision_model.pre_layrnorm', get('vision_model.pre_layrnorm.weight', [C]), get('vision_model.pre_layrnorm.bias', [C]), eps);

  const scale = g.scalarF(d ** -0.5);
  for (let i = 0; i < run; i++) {
    const p = `${ENC}.${i}`;
    const lin = (src: string, m: string, out: number, inp: number): string =>
      linear(g, src, `${p}.${m}`, get(`${p}.${m}.weight`, [out, inp]), get(`${p}.${m}.bias`, [out]));
    const a = layerNorm(g, h, `${p}.layer_norm1`, get(`${p}.layer_norm1.weight`, [C]), get(`${p}.layer_norm1.bias`, [C]), eps);
    // HF scales q after its bias (q_proj(h) · head_dim^-0.5), so the scale is its own Mul, not folded into the weight.
    const q = splitHeads(g, g.op('Mul', [lin(a, 'self_attn.q_proj', C, C), scale]), H, d);
    const k = splitHeads(g, lin(a, 'self_attn.k_proj', C, C), H, d);
    const v = splitHeads(g, lin(a, 'self_attn.v_proj', C, C), H, d);
    const scores = g.op('MatMul', [q, g.op('Transpose', [k], [aIs('perm', [0, 1, 3, 2])])]);
    const ctx = mergeHeads(g, g.op('MatMul', [g.op('Softmax', [scores], [aI('axis', -1)]), v]), H, d);
    h = g.op('Add', [h, lin(ctx, 'self_attn.out_proj', C, C)]);
    const m = layerNorm(g, h, `${p}.layer_norm2`, get(`${p}.layer_norm2.weight`, [C]), get(`${p}.layer_norm2.bias`, [C]), eps);
    const up = lin(m, 'mlp.fc1', I, C);
    const act = spec.hiddenAct === 'quick_gelu' ? quickGelu(g, up) : gelu(g, up);
    h = g.op('Add', [h, lin(act, 'mlp.fc2', C, I)]);
  }

  // Drop CLS (token 0), then the mlp2x_gelu projector.
  const feats = g.op('Slice', [h, g.i64([1]), g.i64([T]), g.i64([1])]);
  const out = mlp2xGelu(
    g,
    feats,
    'mm_projector',
    get('mm_projector.0.weight', [llmHidden, C]),
    get('mm_projector.0.bias', [llmHidden]),
    get('mm_projector.2.weight', [llmHidden, llmHidden]),
    get('mm_projector.2.bias', [llmHidden]),
  );
  g.op('Identity', [out], [], 'image_embeds');
  g.output('image_embeds', FLOAT, [1, N, llmHidden]);
}
