// Export plan for Fuyu-8B as published (adept/fuyu-8b): FuyuForCausalLM = a linear patch projection
// (vision_embed_tokens over 30×30×3 raw patches) and the Persimmon decoder (language_model.*; the first
// upload used model.* and lm_head.weight, also accepted). Its tokenizer.json is copied as it is.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configInt, configNumber, tokenIds, type ExportFamily, type ExportPlan } from '../../export/family.ts';
import { decoderConfigFields, type DecoderSpec } from '../../export/decoder.ts';
import { linear } from '../../export/onnx/layers.ts';
import { FLOAT } from '../../export/onnx/graph.ts';
import { UserError } from '../../core/errors.ts';

/** transformers' FuyuConfig defaults (save_pretrained stores only the fields that differ). */
const FUYU_DEFAULTS = {
  vocab_size: 262144,
  hidden_size: 4096,
  intermediate_size: 16384,
  num_hidden_layers: 36,
  num_attention_heads: 64,
  layer_norm_eps: 1e-5,
  rope_theta: 25000,
  partial_rotary_factor: 0.5,
  patch_size: 30,
  num_channels: 3,
};

function persimmonShape(s: DecoderSpec, canonical: string): number[] | undefined {
  const { hidden: H, intermediate: I, headDim: D, vocab: V } = s;
  const leaf = canonical.replace(/^layers\.\d+\./, '');
  const shapes: Record<string, number[]> = {
    'input_layernorm.weight': [H],
    'input_layernorm.bias': [H],
    'post_attention_layernorm.weight': [H],
    'post_attention_layernorm.bias': [H],
    'self_attn.query_key_value.weight': [3 * H, H],
    'self_attn.query_key_value.bias': [3 * H],
    'self_attn.q_layernorm.weight': [D],
    'self_attn.q_layernorm.bias': [D],
    'self_attn.k_layernorm.weight': [D],
    'self_attn.k_layernorm.bias': [D],
    'self_attn.dense.weight': [H, H],
    'self_attn.dense.bias': [H],
    'mlp.dense_h_to_4h.weight': [I, H],
    'mlp.dense_h_to_4h.bias': [I],
    'mlp.dense_4h_to_h.weight': [H, I],
    'mlp.dense_4h_to_h.bias': [H],
    'final_layernorm.weight': [H],
    'final_layernorm.bias': [H],
    'lm_head.weight': [V, H],
    'embed_tokens.weight': [V, H],
  };
  return shapes[leaf];
}

const fuyu: ExportFamily = {
  family: 'fuyu',
  detect: (c) => c.model_type === 'fuyu' || (Array.isArray(c.architectures) && c.architectures.includes('FuyuForCausalLM')),
  plan({ dir, configFile: file, config: top, keys }): ExportPlan {
    const d = FUYU_DEFAULTS as Record<string, number>;
    // transformers builds the language model from text_config (made from the top-level fields when absent).
    const c: Record<string, unknown> = { ...top, ...((top.text_config as Record<string, unknown> | undefined) ?? {}) };
    const act = c.hidden_act ?? 'relu2';
    if (act !== 'relu2') throw new UserError(`${file}: "hidden_act" ${JSON.stringify(act)} is not supported (Persimmon uses relu2)`);
    if (c.qk_layernorm === false) throw new UserError(`${file}: "qk_layernorm": false is not supported (Fuyu-8B uses it)`);
    if (c.rope_scaling) throw new UserError(`${file}: "rope_scaling" is not supported yet`);
    const hidden = configInt(file, c, 'hidden_size', d.hidden_size);
    const heads = configInt(file, c, 'num_attention_heads', d.num_attention_heads);
    const spec: DecoderSpec = {
      style: 'persimmon',
      hidden,
      heads,
      kvHeads: heads,
      headDim: hidden / heads,
      layers: configInt(file, c, 'num_hidden_layers', d.num_hidden_layers),
      intermediate: configInt(file, c, 'intermediate_size', d.intermediate_size),
      vocab: configInt(file, c, 'vocab_size', d.vocab_size),
      eps: configNumber(file, c, 'layer_norm_eps', d.layer_norm_eps),
      ropeTheta: configNumber(file, c, 'rope_theta', d.rope_theta),
      rotaryFraction: configNumber(file, c, 'partial_rotary_factor', d.partial_rotary_factor),
      maxPositions: configInt(file, c, 'max_position_embeddings', 16384),
    };
    const patch = configInt(file, c, 'patch_size', d.patch_size);
    const channels = configInt(file, c, 'num_channels', d.num_channels);
    const patchDim = patch * patch * channels;
    // The first upload of adept/fuyu-8b named the decoder model.* and the head lm_head.weight.
    const prefix = keys.some((k) => k.startsWith('language_model.model.')) ? 'language_model.model.' : 'model.';
    const lmHead = keys.includes('language_model.lm_head.weight') ? 'language_model.lm_head.weight' : 'lm_head.weight';

    const tokFile = join(dir, 'tokenizer.json');
    if (!existsSync(tokFile)) throw new UserError(`${dir}: no tokenizer.json (Fuyu ships one; it is copied into the bundle)`);
    const ids = tokenIds(JSON.parse(readFileSync(tokFile, 'utf8')));
    const id = (t: string) => {
      const v = ids.get(t);
      if (v === undefined) throw new UserError(`${tokFile}: token ${JSON.stringify(t)} is missing (Fuyu's prompt layout needs it)`);
      return v;
    };
    const preFile = join(dir, 'preprocessor_config.json');
    const pre: Record<string, unknown> = existsSync(preFile)
      ? (JSON.parse(readFileSync(preFile, 'utf8')) as Record<string, unknown>)
      : {
          image_processor_type: 'FuyuImageProcessor',
          processor_class: 'FuyuProcessor',
          target_height: 1080,
          target_width: 1920,
          padding_mode: 'constant',
          padding_value: 1,
          patch_size: { height: patch, width: patch },
        };
    pre.image_newline_id = id('|NEWLINE|');
    return {
      family: 'fuyu',
      layout: `Fuyu (FuyuForCausalLM, decoder under ${prefix})`,
      bundleConfig: {
        family: 'fuyu',
        model_type: 'fuyu',
        architectures: ['FuyuForCausalLM'],
        ...decoderConfigFields(spec),
        bos_token_id: id('<s>'),
        eos_token_id: id('|ENDOFTEXT|'),
        pad_token_id: id('|ENDOFTEXT|'),
        image_token_id: id('|SPEAKER|'),
        image_newline_token_id: id('|NEWLINE|'),
        boa_token_id: id('<0x04>'),
        patch_size: patch,
        num_channels: channels,
      },
      preprocessorConfig: pre,
      notes: existsSync(preFile) ? [] : [`no preprocessor_config.json in ${dir}: wrote Fuyu's defaults (1080×1920 target, ${patch}-px patches)`],
      decoder: spec,
      decoderWeight: (w, canonical) => w.get('main', canonical === 'lm_head.weight' ? lmHead : `${prefix}${canonical}`, persimmonShape(spec, canonical)),
      embedWeight: (w) => w.get('main', `${prefix}embed_tokens.weight`, persimmonShape(spec, 'embed_tokens.weight')),
      buildVision(g, w) {
        const x = g.input('pixel_values', FLOAT, [1, 'num_patches', patchDim]);
        const y = linear(
          g,
          x,
          'vision_embed_tokens',
          w.get('main', 'vision_embed_tokens.weight', [hidden, patchDim]),
          w.get('main', 'vision_embed_tokens.bias', [hidden]),
        );
        g.op('Identity', [y], [], 'image_embeds');
        g.output('image_embeds', FLOAT, [1, 'num_patches', hidden]);
      },
      skipKnown(w) {
        w.skip('main', (k) => k.endsWith('.inv_freq'), 'RoPE buffer (recomputed in the graph)');
      },
      tokenizer: { kind: 'tokenizer.json', file: tokFile },
    };
  },
};

export default fuyu;
