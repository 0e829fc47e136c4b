// The Vicuna / LLaMA decoder shared by EVE and LLaVA-1.5: its spec from a LlamaConfig-shaped
// config.json (with LlamaConfig's defaults for fields a nested text_config leaves out), and its keys.
import type { DecoderSpec } from './decoder.ts';
import { configInt, configNumber } from './family.ts';
import { UserError } from '../core/errors.ts';
import type { Weights } from './weights.ts';

/** transformers' LlamaConfig defaults, for llava-hf's text_config, which stores only the non-defaults. */
export const LLAMA_DEFAULTS = {
  hidden_size: 4096,
  intermediate_size: 11008,
  num_hidden_layers: 32,
  num_attention_heads: 32,
  rms_norm_eps: 1e-6,
  rope_theta: 10000,
  vocab_size: 32000,
};

export function llamaSpec(file: string, c: Record<string, unknown>, defaults: Partial<typeof LLAMA_DEFAULTS> = {}): DecoderSpec {
  const d = defaults as Record<string, number>;
  const hidden = configInt(file, c, 'hidden_size', d.hidden_size);
  const heads = configInt(file, c, 'num_attention_heads', d.num_attention_heads);
  const kvHeads = configInt(file, c, 'num_key_value_heads', heads);
  const headDim = configInt(file, c, 'head_dim', hidden / heads);
  if (c.rope_scaling) throw new UserError(`${file}: "rope_scaling" is not supported yet`);
  const act = c.hidden_act ?? 'silu';
  if (act !== 'silu') throw new UserError(`${file}: "hidden_act" ${JSON.stringify(act)} is not supported (LLaMA uses silu)`);
  if (heads % kvHeads !== 0) throw new UserError(`${file}: num_attention_heads ${heads} is not a multiple of num_key_value_heads ${kvHeads}`);
  return {
    style: 'llama',
    hidden,
    heads,
    kvHeads,
    headDim,
    layers: configInt(file, c, 'num_hidden_layers', d.num_hidden_layers),
    intermediate: configInt(file, c, 'intermediate_size', d.intermediate_size),
    vocab: configInt(file, c, 'vocab_size', d.vocab_size),
    eps: configNumber(file, c, 'rms_norm_eps', d.rms_norm_eps),
    ropeTheta: configNumber(file, c, 'rope_theta', 10000),
    rotaryFraction: 1,
    // The fused layout's rotary cache covers this many positions (Vicuna-7B v1.5: 4096).
    maxPositions: configInt(file, c, 'max_position_embeddings', 4096),
  };
}

/** Expected PyTorch shape of a canonical LLaMA weight, so a mismatched config is caught by name. */
export function llamaShape(s: DecoderSpec, canonical: string): number[] | undefined {
  const { hidden: H, heads: NH, kvHeads: KV, headDim: D, intermediate: I, vocab: V } = s;
  const m = /^layers\.\d+\.(.+)$/.exec(canonical);
  const leaf = m ? m[1] : canonical;
  const shapes: Record<string, number[]> = {
    'input_layernorm.weight': [H],
    'post_attention_layernorm.weight': [H],
    'self_attn.q_proj.weight': [NH * D, H],
    'self_attn.k_proj.weight': [KV * D, H],
    'self_attn.v_proj.weight': [KV * D, H],
    'self_attn.o_proj.weight': [H, NH * D],
    'mlp.gate_proj.weight': [I, H],
    'mlp.up_proj.weight': [I, H],
    'mlp.down_proj.weight': [H, I],
    'norm.weight': [H],
    'lm_head.weight': [V, H],
    'embed_tokens.weight': [V, H],
  };
  return shapes[leaf];
}

/** Reads canonical LLaMA weights from keys `<prefix>layers...`, `<prefix>norm.weight` and `lmHead`. */
export function llamaWeights(spec: DecoderSpec, prefix: string, lmHead: string) {
  return {
    decoderWeight: (w: Weights, canonical: string) =>
      w.get('main', canonical === 'lm_head.weight' ? lmHead : `${prefix}${canonical}`, llamaShape(spec, canonical)),
    embedWeight: (w: Weights) => w.get('main', `${prefix}embed_tokens.weight`, llamaShape(spec, 'embed_tokens.weight')),
  };
}
