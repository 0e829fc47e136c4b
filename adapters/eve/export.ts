// Export plan for EVE-7B-v1.0 / EVE-7B-HD-v1.0 as published (BAAI/EVE-7B-v1.0): EVELlamaForCausalLM
// with the vision tokenizer under model.vision_tower and the mlp2x_gelu projector under model.mm_projector.
// The training-only CLIP distillation modules (model.vision_clip, model.vision_tower_compressor) are
// recognised and skipped. EVE's preprocessor configs were only published on Google Drive, so the
// exporter writes one from the values the code implies (PROTOCOL: 672/1344 from the tower name,
// 14-px patches, conv stride 2, CLIP mean/std) and says so.
import { checkpointTokenizer, configInt, configString, type ExportFamily, type ExportPlan } from '../../export/family.ts';
import { llamaSpec, llamaWeights } from '../../export/llama-config.ts';
import { UserError } from '../../core/errors.ts';
import { CLIP_MEAN, CLIP_STD } from '../llava/index.ts';
import { buildEveVisionGraph } from './vision-graph.ts';
import { decoderConfigFields } from '../../export/decoder.ts';

const PATCH = 14;
const CONV_STRIDE = 2;
const HEADS = 8;

/** Canvas side from the tower name, e.g. "openai/eve-patch14-anypixel-672" → 672. */
export function eveImageSize(file: string, tower: string): number {
  const m = /anypixel-(\d+)/.exec(tower);
  if (!m) throw new UserError(`${file}: "mm_vision_tower" ${JSON.stringify(tower)} does not name an EVE any-pixel tower (…-anypixel-672 or -1344)`);
  return Number(m[1]);
}

const eve: ExportFamily = {
  family: 'eve',
  detect: (c) => c.model_type === 'eve' || (Array.isArray(c.architectures) && c.architectures.includes('EVELlamaForCausalLM')),
  plan({ dir, configFile: file, config: c }): ExportPlan {
    const spec = llamaSpec(file, c);
    const tower = configString(file, c, 'mm_vision_tower');
    const imageSize = eveImageSize(file, tower);
    const projector = configString(file, c, 'mm_projector_type', 'linear');
    if (projector !== 'mlp2x_gelu') throw new UserError(`${file}: "mm_projector_type" ${JSON.stringify(projector)} is not supported (EVE-7B uses mlp2x_gelu)`);
    const C = configInt(file, c, 'mm_hidden_size');
    const bos = configInt(file, c, 'bos_token_id', 1);
    const eos = configInt(file, c, 'eos_token_id', 2);
    const pad = typeof c.pad_token_id === 'number' && c.pad_token_id >= 0 ? c.pad_token_id : 0;
    return {
      family: 'eve',
      layout: 'EVE (EVELlamaForCausalLM)',
      bundleConfig: {
        family: 'eve',
        model_type: 'eve',
        architectures: ['EVELlamaForCausalLM'],
        ...decoderConfigFields(spec),
        bos_token_id: bos,
        eos_token_id: eos,
        pad_token_id: pad,
        image_token_id: -200,
        template: 'vicuna_v1',
        vision_config: { image_size: imageSize, patch_stride: PATCH, conv_stride: CONV_STRIDE, hidden_size: C, num_heads: HEADS },
        mm_projector_type: 'mlp2x_gelu',
      },
      preprocessorConfig: {
        feature_extractor_type: 'CLIPFeatureExtractor',
        do_resize: false,
        do_center_crop: false,
        do_normalize: true,
        image_mean: CLIP_MEAN,
        image_std: CLIP_STD,
        resample: 3,
        image_size: imageSize,
        image_size_clip: 336,
        patch_stride: PATCH,
        patch_stride_clip: 14,
        conv_stride: CONV_STRIDE,
      },
      notes: [
        `preprocessor_config.json written by eve-eval (EVE's own was never published on the hub): image_size ${imageSize} from "${tower}", image_size_clip 336, patch_stride 14, conv_stride 2, CLIP mean/std`,
      ],
      decoder: spec,
      ...llamaWeights(spec, 'model.', 'lm_head.weight'),
      buildVision: (g, w) =>
        buildEveVisionGraph(g, (key) => w.get('main', `model.${key}`), {
          hidden: C,
          llmHidden: spec.hidden,
          patch: PATCH,
          convStride: CONV_STRIDE,
          heads: HEADS,
        }),
      skipKnown(w) {
        w.skip('main', (k) => k.startsWith('model.vision_clip.'), 'training-only CLIP distillation tower (model.vision_clip)');
        w.skip('main', (k) => k.startsWith('model.vision_tower_compressor.'), 'training-only vision compressor (model.vision_tower_compressor)');
        w.skip('main', (k) => k.endsWith('.inv_freq'), 'RoPE buffer (recomputed in the graph)');
      },
      tokenizer: checkpointTokenizer(dir),
    };
  },
};

export default eve;
