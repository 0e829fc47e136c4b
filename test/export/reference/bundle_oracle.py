"""PyTorch oracle for eve-eval's exported bundles (test/export/parity.test.ts).

Two commands, each one Python start:

  make ROOT LAYOUT...    writes ROOT/images (JPEGs of six aspect ratios) and, per layout, ROOT/LAYOUT: a tiny
                         random checkpoint laid out exactly as published:
      eve        BAAI/EVE-7B-v1.0: bf16 pytorch_model-0000N-of-0000M.bin shards + index, model.* keys with
                 the vision tokenizer, mm_projector and the training-only CLIP distillation keys,
                 SentencePiece tokenizer.model only
      eve-hd     BAAI/EVE-7B-HD-v1.0: the same on the 1344 canvas (tower eve-patch14-anypixel-1344)
      llava-hf   llava-hf/llava-1.5-7b-hf: LlavaForConditionalGeneration.save_pretrained (fp16 safetensors)
      llava      liuhaotian/llava-v1.5-7b: fp16 .bin shards with model.* / model.mm_projector.{0,2} keys, and
                 the CLIP tower as a separate CLIPModel checkpoint (DIR/clip)
      fuyu       adept/fuyu-8b: FuyuForCausalLM.save_pretrained (bf16 safetensors)
      llama-full one LLaMA decoder layer at EVE-7B's full width (hidden 4096, 32 heads, intermediate 11008)
  reference JOBS.json    for each {ckpt, cases, out, layout?} (layout: else the ckpt's `layout` file): runs the PyTorch model on the cases (prompt ids from
      eve-eval's adapters, image paths) and writes, per case, greedy tokens (up to max_new, EOS stops), each step's
      top-2 logit gap, and the first step's last-position logits (OUT.<i>.f32).

The oracles are code this project did not write wherever it exists: transformers' LlamaForCausalLM,
LlavaForConditionalGeneration, FuyuForCausalLM, CLIPModel. EVE's vision tokenizer has no library
implementation: eve_vision_tokenizer.py ports baaivision/EVE's vision_tokenizer.py line by line.
Preprocessing is the PIL/numpy reference in test/fixtures/preprocess-reference/make_reference.py.
"""
import json
import os
import shutil
import sys

import numpy as np
import torch
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, '..', '..', '..'))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, 'test', 'fixtures', 'preprocess-reference'))

import make_reference as pre  # noqa: E402
from transformers import (CLIPConfig, CLIPModel, CLIPVisionConfig, FuyuConfig, FuyuForCausalLM,  # noqa: E402
                          LlamaConfig, LlamaForCausalLM, LlavaConfig, LlavaForConditionalGeneration)

LLAMA_TOK = os.path.join(REPO, 'fixtures', 'tokenizers', 'llama2')
LLAMA_JSON = os.path.join(REPO, 'fixtures', 'models', 'tiny-eve', 'tokenizer.json')
FUYU_TOK = os.path.join(REPO, 'fixtures', 'models', 'tiny-fuyu')


def tiny_llama(**kw):
    base = dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                vocab_size=32000, rms_norm_eps=1e-5, max_position_embeddings=4096, initializer_range=0.1,
                bos_token_id=1, eos_token_id=2, pad_token_id=0)
    base.update(kw)
    return LlamaConfig(**base)


def randomize_norms(model, gen):
    """HF initialises norms to 1 and biases to 0; random ones make the check see them."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith('norm.weight') or 'layernorm' in name and name.endswith('weight') or 'layer_norm' in name and name.endswith('weight'):
                p.copy_(1 + 0.2 * torch.randn(p.shape, generator=gen))
            elif name.endswith('bias'):
                p.copy_(0.1 * torch.randn(p.shape, generator=gen))


def build_vision_tower(C, H, patch_stride, conv_stride, seed):
    """EVE's VisionTokenizer (the line-by-line port) and mlp2x_gelu projector, randomly initialised with
    weights sharp enough that the attention over each 2×2 group and over the image is far from uniform."""
    from eve_vision_tokenizer import VisionTokenizer, build_projector
    gen = torch.Generator().manual_seed(seed)
    tower = VisionTokenizer(C, H, patch_stride, conv_stride).eval()
    projector = build_projector(C, H).eval()
    with torch.no_grad():
        for name, p in tower.named_parameters():
            if name.endswith('.0.weight'):
                p.copy_(1 + 0.2 * torch.randn(p.shape, generator=gen))
            elif name.endswith('bias'):
                p.copy_(0.1 * torch.randn(p.shape, generator=gen))
            elif name in ('class_embedding', 'split_embedding'):
                p.copy_(torch.randn(p.shape, generator=gen))
            else:
                p.copy_(torch.randn(p.shape, generator=gen) * (2.0 / p[0].numel() ** 0.5))
    return tower, projector


def round_to(model, dtype):
    """Store-and-compute parity: the reference computes in float32 on the weights as stored."""
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(p.to(dtype).float())


def save_bin_shards(state, out, n_shards, dtype):
    keys = list(state.keys())
    per = (len(keys) + n_shards - 1) // n_shards
    weight_map, total = {}, 0
    for s in range(n_shards):
        name = f'pytorch_model-{s + 1:05d}-of-{n_shards:05d}.bin'
        part = {k: state[k].to(dtype).contiguous() for k in keys[s * per:(s + 1) * per]}
        torch.save(part, os.path.join(out, name))
        for k, v in part.items():
            weight_map[k] = name
            total += v.numel() * v.element_size()
    with open(os.path.join(out, 'pytorch_model.bin.index.json'), 'w') as f:
        json.dump({'metadata': {'total_size': total}, 'weight_map': weight_map}, f, indent=2)


def write_json(path, obj):
    with open(path, 'w') as f:
        json.dump(obj, f, indent=2)


def llama_config_fields(c):
    return {k: getattr(c, k) for k in ('hidden_size', 'intermediate_size', 'num_hidden_layers', 'num_attention_heads',
                                       'num_key_value_heads', 'vocab_size', 'rms_norm_eps', 'max_position_embeddings',
                                       'bos_token_id', 'eos_token_id', 'pad_token_id')}


def copy_sentencepiece(out):
    for f in ('tokenizer.model', 'tokenizer_config.json'):
        shutil.copy(os.path.join(LLAMA_TOK, f), os.path.join(out, f))


# ---------- make ----------

def make_eve(out, gen, tower_name='openai/eve-patch14-anypixel-672'):
    cfg = tiny_llama()
    llm = LlamaForCausalLM(cfg).eval()
    randomize_norms(llm, gen)
    C = 16
    tower, projector = build_vision_tower(C, cfg.hidden_size, patch_stride=14, conv_stride=2, seed=int(torch.randint(0, 2**31, (1,), generator=gen)))
    state = {}
    for k, v in llm.state_dict().items():
        state[k] = v
    for k, v in tower.state_dict().items():
        state['model.vision_tower.' + k] = v
    for k, v in projector.state_dict().items():
        state['model.mm_projector.' + k] = v
    # Training-only modules the published files carry (CLIP distillation); the exporter must skip them.
    state['model.vision_clip.backbone.vision_model.embeddings.class_embedding'] = torch.randn(8, generator=gen)
    state['model.vision_clip.backbone.vision_model.encoder.layers.0.mlp.fc1.weight'] = torch.randn(16, 8, generator=gen)
    state['model.vision_tower_compressor.input_layer.weight'] = torch.randn(8, cfg.hidden_size, generator=gen)
    state['model.vision_tower_compressor.norm_layer.0.0.weight'] = torch.randn(cfg.hidden_size, generator=gen)
    # bf16 as EVE trained and saved it; the reference runs on exactly those values.
    state = {k: v.to(torch.bfloat16).float() for k, v in state.items()}
    save_bin_shards(state, out, 2, torch.bfloat16)
    config = {'_name_or_path': 'tiny-eve-7b-v1.0', 'architectures': ['EVELlamaForCausalLM'], 'model_type': 'eve',
              **llama_config_fields(cfg), 'hidden_act': 'silu', 'torch_dtype': 'bfloat16', 'transformers_version': '4.31.0',
              'mm_hidden_size': C, 'mm_projector_type': 'mlp2x_gelu', 'mm_use_im_patch_token': False, 'mm_use_im_start_end': False,
              'mm_vision_select_feature': 'patch', 'mm_vision_select_layer': -2,
              'mm_vision_tower': tower_name, 'mm_vision_tower_clip': 'openai/clip-vit-large-patch14-336',
              'tie_word_embeddings': False, 'use_cache': True}
    write_json(os.path.join(out, 'config.json'), config)
    copy_sentencepiece(out)


def tiny_llava_config():
    vision = CLIPVisionConfig(hidden_size=16, intermediate_size=32, num_hidden_layers=3, num_attention_heads=2, image_size=336,
                              patch_size=14, projection_dim=16, initializer_range=0.1, initializer_factor=3.0)
    # As llava-hf: <image> is token 32000 and the vocabulary padded to 32064 rows.
    text = tiny_llama(vocab_size=32064)
    return LlavaConfig(vision_config=vision.to_dict(), text_config=text.to_dict(), image_token_index=32000, vocab_size=32064,
                       projector_hidden_act='gelu', vision_feature_layer=-2, vision_feature_select_strategy='default',
                       pad_token_id=0)


def make_llava_model(gen):
    model = LlavaForConditionalGeneration(tiny_llava_config()).eval()
    randomize_norms(model, gen)
    with torch.no_grad():
        for n, p in model.named_parameters():
            if 'multi_modal_projector' in n and n.endswith('weight'):
                p.copy_(torch.randn(p.shape, generator=gen) / p.shape[1] ** 0.5)
    round_to(model, torch.float16)
    return model


def make_llava_hf(out, gen):
    model = make_llava_model(gen)
    model.save_pretrained(out, safe_serialization=True)
    shutil.copy(LLAMA_JSON, os.path.join(out, 'tokenizer.json'))
    shutil.copy(os.path.join(LLAMA_TOK, 'tokenizer_config.json'), os.path.join(out, 'tokenizer_config.json'))
    pre_cfg = {'crop_size': {'height': 336, 'width': 336}, 'do_center_crop': True, 'do_convert_rgb': True, 'do_normalize': True,
               'do_rescale': True, 'do_resize': True, 'image_mean': pre.CLIP_MEAN, 'image_std': pre.CLIP_STD,
               'image_processor_type': 'CLIPImageProcessor', 'processor_class': 'LlavaProcessor', 'resample': 3,
               'rescale_factor': 1 / 255, 'size': {'shortest_edge': 336}}
    write_json(os.path.join(out, 'preprocessor_config.json'), pre_cfg)


# transformers' convert_llava_weights_to_hf.py KEYS_TO_MODIFY_MAPPING (ordered substring replacements).
HF_CONVERSION = [('model.vision_tower.', ''), ('model.mm_projector', 'multi_modal_projector'), ('model', 'model.model'),
                 ('vision_model.model', 'vision_model'), ('lm_head', 'language_model.lm_head'), ('model.model', 'language_model.model'),
                 ('multi_modal_projector.0', 'multi_modal_projector.linear_1'), ('multi_modal_projector.2', 'multi_modal_projector.linear_2')]


def convert_original_key(key):
    for a, b in HF_CONVERSION:
        if a in key:
            key = key.replace(a, b)
    return key


def make_llava_original(out, gen):
    """The liuhaotian layout, derived from an HF model and checked by mapping it back with the conversion
    script's own rules: the reference then runs the HF model on the same weights."""
    model = make_llava_model(gen)
    hf = model.state_dict()
    original, tower = {}, {}
    for k, v in hf.items():
        if k.startswith('vision_tower.'):
            tower[k[len('vision_tower.'):]] = v
            orig = 'model.vision_tower.vision_tower.' + k[len('vision_tower.'):]  # how LLaVA's own code names it
        elif k.startswith('multi_modal_projector.'):
            orig = k.replace('multi_modal_projector.linear_1', 'model.mm_projector.0').replace('multi_modal_projector.linear_2', 'model.mm_projector.2')
            original[orig] = v
        elif k.startswith('language_model.model.'):
            orig = 'model.' + k[len('language_model.model.'):]
            original[orig] = v
        elif k == 'language_model.lm_head.weight':
            orig = 'lm_head.weight'
            original[orig] = v
        else:
            raise SystemExit(f'unexpected HF key {k}')
        back = convert_original_key(orig)
        if back != k:
            raise SystemExit(f'conversion mapping disagrees: {orig} -> {back}, expected {k}')
    save_bin_shards(original, out, 2, torch.float16)
    text = model.config.text_config
    config = {'_name_or_path': 'tiny-llava-v1.5-7b', 'architectures': ['LlavaLlamaForCausalLM'], 'model_type': 'llava',
              **llama_config_fields(text), 'hidden_act': 'silu', 'torch_dtype': 'float16', 'image_aspect_ratio': 'pad',
              'mm_hidden_size': model.config.vision_config.hidden_size, 'mm_projector_type': 'mlp2x_gelu',
              'mm_use_im_patch_token': False, 'mm_use_im_start_end': False, 'mm_vision_select_feature': 'patch',
              'mm_vision_select_layer': -2, 'mm_vision_tower': 'openai/clip-vit-large-patch14-336', 'tie_word_embeddings': False}
    write_json(os.path.join(out, 'config.json'), config)
    copy_sentencepiece(out)
    # The tower as openai/clip-vit-large-patch14-336 ships it: a whole CLIPModel (text tower included).
    clip_dir = os.path.join(out, 'clip')
    vc = model.config.vision_config
    clip = CLIPModel(CLIPConfig(vision_config=vc.to_dict(), text_config={'hidden_size': 16, 'intermediate_size': 32, 'num_hidden_layers': 1,
                                                                        'num_attention_heads': 2, 'vocab_size': 100}, projection_dim=16)).eval()
    missing = clip.load_state_dict({**{k: v for k, v in clip.state_dict().items() if not k.startswith('vision_model.')}, **tower}, strict=True)
    assert not missing.missing_keys and not missing.unexpected_keys
    clip.half().save_pretrained(clip_dir, safe_serialization=False)
    write_json(os.path.join(clip_dir, 'preprocessor_config.json'),
               {'crop_size': 336, 'do_center_crop': True, 'do_normalize': True, 'do_resize': True, 'feature_extractor_type': 'CLIPFeatureExtractor',
                'image_mean': pre.CLIP_MEAN, 'image_std': pre.CLIP_STD, 'resample': 3, 'size': 336})


def make_fuyu(out, gen):
    tok = json.load(open(os.path.join(FUYU_TOK, 'tokenizer.json')))
    vocab = max(max(tok['model']['vocab'].values()), max(a['id'] for a in tok.get('added_tokens', []))) + 1
    cfg = FuyuConfig(vocab_size=vocab, hidden_size=32, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                     patch_size=30, num_channels=3, initializer_range=0.1, rope_theta=25000, partial_rotary_factor=0.5,
                     layer_norm_eps=1e-5, pad_token_id=0, bos_token_id=1, eos_token_id=2)
    model = FuyuForCausalLM(cfg).eval()
    randomize_norms(model, gen)
    round_to(model, torch.bfloat16)
    model.to(torch.bfloat16).save_pretrained(out, safe_serialization=True)
    for f in ('tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'preprocessor_config.json'):
        if os.path.exists(os.path.join(FUYU_TOK, f)):
            shutil.copy(os.path.join(FUYU_TOK, f), os.path.join(out, f))


def make_llama_full(out, gen):
    """One decoder layer at EVE-7B's width, in the EVE layout (fp16 .bin), vision part tiny."""
    cfg = tiny_llama(hidden_size=4096, intermediate_size=11008, num_hidden_layers=1, num_attention_heads=32, num_key_value_heads=32,
                     vocab_size=32000, initializer_range=0.02)
    llm = LlamaForCausalLM(cfg).eval()
    randomize_norms(llm, gen)
    tower, projector = build_vision_tower(16, cfg.hidden_size, patch_stride=14, conv_stride=2, seed=7)
    state = dict(llm.state_dict())
    state.update({'model.vision_tower.' + k: v for k, v in tower.state_dict().items()})
    state.update({'model.mm_projector.' + k: v for k, v in projector.state_dict().items()})
    state = {k: v.half().float() for k, v in state.items()}
    save_bin_shards(state, out, 1, torch.float16)
    os.rename(os.path.join(out, 'pytorch_model-00001-of-00001.bin'), os.path.join(out, 'pytorch_model.bin'))
    os.remove(os.path.join(out, 'pytorch_model.bin.index.json'))
    write_json(os.path.join(out, 'config.json'), {'architectures': ['EVELlamaForCausalLM'], 'model_type': 'eve', **llama_config_fields(cfg),
                                                  'mm_hidden_size': 16, 'mm_projector_type': 'mlp2x_gelu',
                                                  'mm_vision_tower': 'openai/eve-patch14-anypixel-672'})
    copy_sentencepiece(out)


# ---------- reference ----------

def load_layout(ckpt):
    with open(os.path.join(ckpt, 'layout')) as f:
        return f.read().strip()


def load_state(ckpt, dtype=torch.float32):
    idx = os.path.join(ckpt, 'pytorch_model.bin.index.json')
    files = sorted(set(json.load(open(idx))['weight_map'].values())) if os.path.exists(idx) else ['pytorch_model.bin']
    state = {}
    for f in files:
        state.update({k: v.to(dtype) for k, v in torch.load(os.path.join(ckpt, f), map_location='cpu').items()})
    return state


class EveReference:
    """LlamaForCausalLM with the ported vision tokenizer in front, as EVE's prepare_inputs_labels_for_multimodal splices it."""

    def __init__(self, ckpt):
        cfg = json.load(open(os.path.join(ckpt, 'config.json')))
        lc = LlamaConfig(**{k: cfg[k] for k in ('hidden_size', 'intermediate_size', 'num_hidden_layers', 'num_attention_heads',
                                                  'num_key_value_heads', 'vocab_size', 'rms_norm_eps', 'max_position_embeddings')})
        state = load_state(ckpt)
        self.llm = LlamaForCausalLM(lc).eval()
        self.llm.load_state_dict({k: v for k, v in state.items() if k.startswith('model.') and not k.startswith(('model.vision', 'model.mm_projector')) or k == 'lm_head.weight'})
        self.tower, self.projector = build_vision_tower(cfg['mm_hidden_size'], lc.hidden_size, patch_stride=14, conv_stride=2, seed=0)
        self.tower.load_state_dict({k[len('model.vision_tower.'):]: v for k, v in state.items() if k.startswith('model.vision_tower.')})
        self.projector.load_state_dict({k[len('model.mm_projector.'):]: v for k, v in state.items() if k.startswith('model.mm_projector.')})
        self.tower.eval()
        self.projector.eval()
        # EVE-7B-HD's tower is eve-patch14-anypixel-1344: the same code on a 1344 canvas.
        self.image_size = int(cfg['mm_vision_tower'].rsplit('-', 1)[1])

    def prefix(self, case):
        emb = self.llm.get_input_embeddings()
        parts = [emb(torch.tensor(case['before'], dtype=torch.long))]
        if case.get('image'):
            t, _, _ = pre.eve(Image.open(case['image']).convert('RGB'), image_size=self.image_size)
            feats, _ = self.tower(torch.from_numpy(np.asarray(t)).reshape(1, 4, *t.shape[-2:]).float(), self.projector)
            parts.append(feats[0])
        parts.append(emb(torch.tensor(case['after'], dtype=torch.long)))
        return torch.cat(parts, 0)[None]

    def greedy(self, case, max_new, eos):
        # transformers' own KV cache: the full-width layer would take minutes recomputed every step.
        emb = self.llm.get_input_embeddings()
        res = self.llm(inputs_embeds=self.prefix(case), use_cache=True)
        out = []
        for _ in range(max_new):
            logits = res.logits[0, -1]
            out.append(logits)
            nxt = int(torch.argmax(logits))
            if nxt == eos or len(out) == max_new:
                break
            res = self.llm(inputs_embeds=emb(torch.tensor([[nxt]])), past_key_values=res.past_key_values, use_cache=True)
        return out


class LlavaReference:
    def __init__(self, ckpt, layout):
        if layout == 'llava-hf':
            self.model = LlavaForConditionalGeneration.from_pretrained(ckpt, torch_dtype=torch.float32).eval()
        else:
            # transformers' conversion: the original keys (tower from the CLIP checkpoint) mapped to the HF model.
            state = load_state(ckpt)
            clip = CLIPModel.from_pretrained(os.path.join(ckpt, 'clip'), torch_dtype=torch.float32)
            # LLaVA names its tower model.vision_tower (CLIPVisionTower) .vision_tower (CLIPVisionModel).
            for k, v in clip.state_dict().items():
                if k.startswith('vision_model.'):
                    state['model.vision_tower.vision_tower.' + k] = v
            hf = {convert_original_key(k): v for k, v in state.items()}
            self.model = LlavaForConditionalGeneration(tiny_llava_config()).eval()
            res = self.model.load_state_dict(hf, strict=False)
            unexpected = [k for k in res.unexpected_keys if not k.startswith('vision_tower.vision_model.post_layernorm') and 'encoder.layers.2.' not in k]
            if res.missing_keys or unexpected:
                raise SystemExit(f'conversion left missing {res.missing_keys} unexpected {unexpected}')
        self.image_token = self.model.config.image_token_index
        emb = self.model.get_input_embeddings()
        if self.image_token >= emb.num_embeddings:
            # A checkpoint whose vocabulary ends before <image> (tiny-llava: 32000 rows, <image> 32000): transformers
            # looks every id up before it puts the image features in the <image> token's place, so give that id a
            # row (zeros, never used). The output head is untouched.
            wider = torch.nn.Embedding(self.image_token + 1, emb.embedding_dim, padding_idx=emb.padding_idx)
            with torch.no_grad():
                wider.weight.zero_()
                wider.weight[:emb.num_embeddings] = emb.weight
            self.model.set_input_embeddings(wider)

    def greedy(self, case, max_new, eos):
        ids = list(case['before']) + ([self.image_token] if case.get('image') else []) + list(case['after'])
        pixels = None
        if case.get('image'):
            t, _, _ = pre.llava(Image.open(case['image']).convert('RGB'))
            pixels = torch.from_numpy(np.asarray(t)).float()
        out = []
        for _ in range(max_new):
            inp = torch.tensor([ids])
            logits = self.model(input_ids=inp, attention_mask=torch.ones_like(inp), pixel_values=pixels).logits[0, -1]
            out.append(logits)
            nxt = int(torch.argmax(logits))
            if nxt == eos:
                break
            ids.append(nxt)
        return out


class FuyuReference:
    def __init__(self, ckpt):
        self.model = FuyuForCausalLM.from_pretrained(ckpt, torch_dtype=torch.float32).eval()

    def greedy(self, case, max_new, eos):
        ids, indices, patches = [], [], None
        if case.get('image'):
            p, _, _ = pre.fuyu(Image.open(case['image']).convert('RGB'))
            p = np.asarray(p, dtype=np.float32)
            rows, cols = case['grid']
            patches = torch.from_numpy(p.reshape(1, rows * cols, -1))
            k = 0
            for _ in range(rows):
                for _ in range(cols):
                    ids.append(case['image_token'])
                    indices.append(k)
                    k += 1
                ids.append(case['newline_token'])
                indices.append(-1)
        ids += list(case['before']) + list(case['after'])
        indices += [-1] * (len(ids) - len(indices))
        out = []
        for _ in range(max_new):
            inp = torch.tensor([ids])
            kw = {}
            if patches is not None:
                kw = {'image_patches': [patches[0]], 'image_patches_indices': torch.tensor([indices])}
            logits = self.model(input_ids=inp, attention_mask=torch.ones_like(inp), **kw).logits[0, -1]
            out.append(logits)
            nxt = int(torch.argmax(logits))
            if nxt == eos:
                break
            ids.append(nxt)
            indices.append(-1)
        return out


def reference(ckpt, cases_file, out_prefix, layout=None):
    layout = layout or load_layout(ckpt)
    spec = json.load(open(cases_file))
    torch.set_grad_enabled(False)
    if layout in ('eve', 'eve-hd', 'llama-full'):
        model = EveReference(ckpt)
    elif layout in ('llava-hf', 'llava'):
        model = LlavaReference(ckpt, layout)
    elif layout == 'fuyu':
        model = FuyuReference(ckpt)
    else:
        raise SystemExit(f'unknown layout {layout}')
    results = []
    for i, case in enumerate(spec['cases']):
        steps = model.greedy(case, spec['max_new_tokens'], spec['eos'])
        tokens, gaps = [], []
        for logits in steps:
            top = torch.topk(logits, 2)
            tokens.append(int(top.indices[0]))
            gaps.append(float(top.values[0] - top.values[1]))
        steps[0].numpy().astype('<f4').tofile(f'{out_prefix}.{i}.f32')
        results.append({'tokens': tokens, 'gaps': gaps})
    with open(out_prefix + '.json', 'w') as f:
        json.dump({'layout': layout, 'torch': torch.__version__, 'results': results}, f)


def make_images(out):
    """JPEGs of six aspect ratios (1:1, 4:3, 3:4, 4:1, 1:4, 16:9) for the end-to-end cases."""
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(20241201)
    for w, h in ((64, 64), (96, 72), (60, 80), (160, 40), (40, 160), (112, 63)):
        y, x = np.mgrid[0:h, 0:w]
        base = np.stack([x * 255 / (w - 1), y * 255 / (h - 1), (x * y) % 256], -1)
        img = np.clip(base + rng.integers(-40, 41, (h, w, 3)), 0, 255).astype(np.uint8)
        Image.fromarray(img).save(os.path.join(out, f'img-{w}x{h}.jpg'), quality=90)


MAKERS = {'eve': make_eve, 'eve-hd': lambda out, gen: make_eve(out, gen, tower_name='openai/eve-patch14-anypixel-1344'), 'llava-hf': make_llava_hf, 'llava': make_llava_original, 'fuyu': make_fuyu, 'llama-full': make_llama_full}


def main():
    cmd = sys.argv[1]
    if cmd == 'make':
        root = sys.argv[2]
        make_images(os.path.join(root, 'images'))
        for layout in sys.argv[3:]:
            out = os.path.join(root, layout)
            os.makedirs(out, exist_ok=True)
            gen = torch.Generator().manual_seed(20241201)
            torch.manual_seed(20241201)
            MAKERS[layout](out, gen)
            with open(os.path.join(out, 'layout'), 'w') as f:
                f.write(layout + '\n')
    elif cmd == 'reference':
        for job in json.load(open(sys.argv[2])):
            reference(job['ckpt'], job['cases'], job['out'], job.get('layout'))
    else:
        raise SystemExit(f'unknown command {cmd}')


if __name__ == '__main__':
    main()
