// Export plan for LLaVA-1.5 in both published layouts:
// - original (liuhaotian/llava-v1.5-7b): LlavaLlamaForCausalLM, keys model.* and model.mm_projector.{0,2};
//   the CLIP ViT-L/14-336 tower is a separate checkpoint (openai/clip-vit-large-patch14-336, --vision-tower),
//   mapped onto the same names transformers' convert_llava_weights_to_hf.py maps it to;
// - llava-hf (llava-hf/llava-1.5-7b-hf): LlavaForConditionalGeneration, vision_tower.vision_model.*,
//   multi_modal_projector.linear_{1,2}, language_model.*.
// LLaVA reads CLIP's second-to-last layer without its CLS token, so the last layer and post_layernorm
// are recognised as unused by design.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkpointTokenizer, configInt, configNumber, configString, type ExportFamily, type ExportInput, type ExportPlan } from '../../export/family.ts';
import { LLAMA_DEFAULTS, llamaSpec, llamaWeights } from '../../export/llama-config.ts';
import { UserError } from '../../core/errors.ts';
import type { Weights } from '../../export/weights.ts';
import { CLIP_MEAN, CLIP_STD } from './index.ts';
import { buildClipVisionGraph } from './vision-graph.ts';
import { decoderConfigFields } from '../../export/decoder.ts';

/** transformers' CLIPVisionConfig defaults (nested vision_config files store only what differs). */
const CLIP_VISION_DEFAULTS = {
  hidden_size: 768,
  intermediate_size: 3072,
  num_hidden_layers: 12,
  num_attention_heads: 12,
  image_size: 224,
  patch_size: 32,
  layer_norm_eps: 1e-5,
};

interface ClipSpec {
  hidden: number;
  heads: number;
  layers: number;
  intermediate: number;
  imageSize: number;
  patch: number;
  eps: number;
  llmHidden: number;
  featureLayer: number;
  hiddenAct: 'quick_gelu' | 'gelu';
}

function clipSpec(file: string, v: Record<string, unknown>, llmHidden: number, featureLayer: number): ClipSpec {
  const d = CLIP_VISION_DEFAULTS as Record<string, number>;
  const act = v.hidden_act ?? 'quick_gelu';
  if (act !== 'quick_gelu' && act !== 'gelu') throw new UserError(`${file}: vision "hidden_act" ${JSON.stringify(act)} is not supported`);
  const layers = configInt(file, v, 'num_hidden_layers', d.num_hidden_layers);
  if (featureLayer >= 0 || -featureLayer > layers) throw new UserError(`${file}: vision feature layer ${featureLayer} is not supported (LLaVA-1.5 uses -2)`);
  return {
    hidden: configInt(file, v, 'hidden_size', d.hidden_size),
    heads: configInt(file, v, 'num_attention_heads', d.num_attention_heads),
    layers,
    intermediate: configInt(file, v, 'intermediate_size', d.intermediate_size),
    imageSize: configInt(file, v, 'image_size', d.image_size),
    patch: configInt(file, v, 'patch_size', d.patch_size),
    eps: configNumber(file, v, 'layer_norm_eps', d.layer_norm_eps),
    llmHidden,
    featureLayer,
    hiddenAct: act,
  };
}

/** CLIP encoder layers LLaVA never reads (after the feature layer), and post_layernorm. */
function clipUnusedByDesign(spec: ClipSpec, key: string, visionPrefix: string): boolean {
  if (!key.startsWith(visionPrefix)) return false;
  const rest = key.slice(visionPrefix.length);
  if (rest.startsWith('post_layernorm.') || rest === 'embeddings.position_ids') return true;
  const m = /^encoder\.layers\.(\d+)\./.exec(rest);
  return m !== null && Number(m[1]) >= spec.layers + spec.featureLayer + 1;
}

function readJson(file: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new UserError(`${file}: not valid JSON (${(err as Error).message})`);
  }
}

/** The CLIP preprocessor (from the tower or llava-hf folder) plus LLaVA-1.5's pad-to-square rule. */
function preprocessor(dirs: string[], imageSize: number, aspect: string, patch: number): { cfg: Record<string, unknown>; note?: string } {
  for (const d of dirs) {
    const f = join(d, 'preprocessor_config.json');
    if (existsSync(f)) return { cfg: { ...readJson(f), image_aspect_ratio: aspect, patch_size: patch } };
  }
  return {
    cfg: {
      image_processor_type: 'CLIPImageProcessor',
      crop_size: { height: imageSize, width: imageSize },
      do_center_crop: true,
      do_convert_rgb: true,
      do_normalize: true,
      do_rescale: true,
      do_resize: true,
      image_mean: CLIP_MEAN,
      image_std: CLIP_STD,
      resample: 3,
      rescale_factor: 1 / 255,
      size: { shortest_edge: imageSize },
      image_aspect_ratio: aspect,
      patch_size: patch,
    },
    note: `no preprocessor_config.json in ${dirs.join(' or ')}: wrote CLIP's (${imageSize} px, bicubic, CLIP mean/std)`,
  };
}

function bundleConfig(
  spec: ReturnType<typeof llamaSpec>,
  clip: ClipSpec,
  ids: { bos: number; eos: number; pad: number },
  architecture: string,
): Record<string, unknown> {
  return {
    family: 'llava',
    model_type: 'llava',
    architectures: [architecture],
    ...decoderConfigFields(spec),
    bos_token_id: ids.bos,
    eos_token_id: ids.eos,
    pad_token_id: ids.pad,
    image_token_id: -200,
    template: 'vicuna_v1',
    vision_config: {
      image_size: clip.imageSize,
      patch_size: clip.patch,
      hidden_size: clip.hidden,
      num_hidden_layers: clip.layers,
      num_attention_heads: clip.heads,
      feature_layer: clip.featureLayer,
    },
    mm_projector_type: 'mlp2x_gelu',
  };
}

function hfPlan({ dir, configFile: file, config: c }: ExportInput): ExportPlan {
  const text = (c.text_config ?? {}) as Record<string, unknown>;
  const spec = llamaSpec(`${file} (text_config)`, text, LLAMA_DEFAULTS);
  const featureLayer = configInt(file, c, 'vision_feature_layer', -2);
  if ((c.vision_feature_select_strategy ?? 'default') !== 'default')
    throw new UserError(
      `${file}: "vision_feature_select_strategy" ${JSON.stringify(c.vision_feature_select_strategy)} is not supported (LLaVA-1.5 drops CLS: "default")`,
    );
  if ((c.projector_hidden_act ?? 'gelu') !== 'gelu') throw new UserError(`${file}: "projector_hidden_act" must be gelu`);
  const clip = clipSpec(`${file} (vision_config)`, (c.vision_config ?? {}) as Record<string, unknown>, spec.hidden, featureLayer);
  const pre = preprocessor([dir], clip.imageSize, 'pad', clip.patch);
  const projKey = (k: string) =>
    k.replace(/^mm_projector\.0\./, 'multi_modal_projector.linear_1.').replace(/^mm_projector\.2\./, 'multi_modal_projector.linear_2.');
  return {
    family: 'llava',
    layout: 'llava-hf (LlavaForConditionalGeneration)',
    bundleConfig: bundleConfig(
      spec,
      clip,
      { bos: configInt(file, text, 'bos_token_id', 1), eos: configInt(file, text, 'eos_token_id', 2), pad: configInt(file, c, 'pad_token_id', 0) },
      'LlavaForConditionalGeneration',
    ),
    preprocessorConfig: pre.cfg,
    notes: ['image_aspect_ratio "pad" (LLaVA-1.5\'s evaluation pads to a square; HF\'s LlavaProcessor would centre-crop)', ...(pre.note ? [pre.note] : [])],
    decoder: spec,
    ...llamaWeights(spec, 'language_model.model.', 'language_model.lm_head.weight'),
    buildVision: (g, w) => buildClipVisionGraph(g, (k) => w.get('main', k.startsWith('mm_projector.') ? projKey(k) : `vision_tower.${k}`), clip),
    skipKnown(w) {
      w.skip('main', (k) => k.endsWith('.inv_freq'), 'RoPE buffer (recomputed in the graph)');
      w.skip('main', (k) => clipUnusedByDesign(clip, k, 'vision_tower.vision_model.'), 'CLIP layers after the feature layer LLaVA reads (unused by design)');
    },
    tokenizer: checkpointTokenizer(dir),
  };
}

function originalPlan({ dir, configFile: file, config: c, visionTower }: ExportInput): ExportPlan {
  const spec = llamaSpec(file, c);
  const projector = configString(file, c, 'mm_projector_type', 'linear');
  if (projector !== 'mlp2x_gelu') throw new UserError(`${file}: "mm_projector_type" ${JSON.stringify(projector)} is not supported (LLaVA-1.5 uses mlp2x_gelu)`);
  if ((c.mm_vision_select_feature ?? 'patch') !== 'patch') throw new UserError(`${file}: "mm_vision_select_feature" must be "patch"`);
  const featureLayer = configInt(file, c, 'mm_vision_select_layer', -2);
  const towerName = typeof c.mm_vision_tower === 'string' ? c.mm_vision_tower : 'openai/clip-vit-large-patch14-336';
  if (!visionTower) {
    throw new UserError(`${dir}: this LLaVA checkpoint keeps its vision tower (${towerName}) in a separate checkpoint: pass --vision-tower DIR`);
  }
  const towerCfg = (visionTower.config.vision_config as Record<string, unknown> | undefined) ?? visionTower.config;
  const clip = clipSpec(visionTower.configFile, towerCfg, spec.hidden, featureLayer);
  const aspect = typeof c.image_aspect_ratio === 'string' ? c.image_aspect_ratio : 'pad';
  const pre = preprocessor([visionTower.dir, dir], clip.imageSize, aspect, clip.patch);
  return {
    family: 'llava',
    layout: `LLaVA original (LlavaLlamaForCausalLM) + CLIP tower ${visionTower.dir}`,
    bundleConfig: bundleConfig(
      spec,
      clip,
      {
        bos: configInt(file, c, 'bos_token_id', 1),
        eos: configInt(file, c, 'eos_token_id', 2),
        pad: typeof c.pad_token_id === 'number' && c.pad_token_id >= 0 ? c.pad_token_id : 0,
      },
      'LlavaLlamaForCausalLM',
    ),
    preprocessorConfig: pre.cfg,
    notes: pre.note ? [pre.note] : [],
    decoder: spec,
    ...llamaWeights(spec, 'model.', 'lm_head.weight'),
    buildVision: (g, w: Weights) => buildClipVisionGraph(g, (k) => (k.startsWith('mm_projector.') ? w.get('main', `model.${k}`) : w.get('vision', k)), clip),
    skipKnown(w) {
      w.skip('main', (k) => k.endsWith('.inv_freq'), 'RoPE buffer (recomputed in the graph)');
      w.skip('vision', (k) => !k.startsWith('vision_model.'), 'CLIP text tower and projections (LLaVA uses only vision_model)');
      w.skip('vision', (k) => clipUnusedByDesign(clip, k, 'vision_model.'), 'CLIP layers after the feature layer LLaVA reads (unused by design)');
    },
    tokenizer: checkpointTokenizer(dir),
  };
}

const llava: ExportFamily = {
  family: 'llava',
  detect: (c) =>
    c.model_type === 'llava' ||
    c.model_type === 'llava_llama' ||
    (Array.isArray(c.architectures) && (c.architectures.includes('LlavaForConditionalGeneration') || c.architectures.includes('LlavaLlamaForCausalLM'))),
  plan: (input) => (input.config.text_config !== undefined || input.keys.some((k) => k.startsWith('language_model.')) ? hfPlan(input) : originalPlan(input)),
};

export default llava;
