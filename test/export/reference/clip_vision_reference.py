"""Reference outputs for test/export/clip-vision.test.ts: HF CLIPVisionModel + LLaVA's mlp2x_gelu projector.

Usage: python clip_vision_reference.py OUT_DIR CASES_JSON
CASES_JSON is a list of {name, hidden, heads, layers, intermediate, imageSize, patch, eps, llmHidden,
hiddenAct, featureLayer, seed, randomInputs (1 or 2), realImage (path or null)}. For each case it builds a seeded random
CLIPVisionModel (weights re-drawn with larger spreads than HF's init, so attention is far from uniform and
LayerNorms are not identities) and an nn.Sequential(Linear, GELU, Linear) projector, and writes under
OUT_DIR/<name>/:
  - every parameter as raw little-endian float32 (<key>.bin), the vision model's keys as HF names them
    (vision_model.…) and the projector's as mm_projector.{0,2}.{weight,bias};
  - a few pixel tensors (input_<k>.bin, float32 [1,3,S,S]) and
    projector(model(px, output_hidden_states=True).hidden_states[featureLayer][:, 1:]) (expected_<k>.bin);
  - manifest.json describing all of it.
It prints one JSON line: torch/transformers versions and the attention implementation the model used.
"""
import json
import math
import os
import sys

import numpy as np
import torch
from torch import nn
import transformers
from transformers import CLIPVisionConfig, CLIPVisionModel

CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073]
CLIP_STD = [0.26862954, 0.26130258, 0.27577711]


def write_f32(path, t):
    np.ascontiguousarray(t.detach().cpu().numpy(), dtype='<f4').tofile(path)


def redraw(model, projector, case):
    """Re-draw every weight: unit-ish activations, attention logits with std ~2, random LayerNorm affines."""
    C, I, P = case['hidden'], case['intermediate'], case['patch']
    with torch.no_grad():
        for name, p in list(model.named_parameters()) + [('mm_projector.' + n, q) for n, q in projector.named_parameters()]:
            if 'layer_norm' in name or 'layrnorm' in name or 'layernorm' in name:
                p.copy_(1 + 0.3 * torch.randn_like(p) if name.endswith('weight') else 0.2 * torch.randn_like(p))
            elif name.endswith('class_embedding'):
                p.copy_(torch.randn_like(p))
            elif name.endswith('patch_embedding.weight'):
                p.copy_(torch.randn_like(p) / math.sqrt(3 * P * P))
            elif name.endswith('position_embedding.weight'):
                p.copy_(0.5 * torch.randn_like(p))
            elif name.endswith('bias'):
                p.copy_(0.1 * torch.randn_like(p))
            elif name.endswith(('q_proj.weight', 'k_proj.weight')):
                p.copy_(1.4 * torch.randn_like(p) / math.sqrt(C))
            elif name.endswith('weight') and p.dim() == 2:
                p.copy_(torch.randn_like(p) / math.sqrt(p.shape[1]))
            else:
                raise SystemExit(f'unexpected parameter {name} {tuple(p.shape)}')


def pixels_from_image(path, size):
    from PIL import Image
    img = Image.open(path).convert('RGB').resize((size, size), Image.BICUBIC)
    a = np.asarray(img, dtype=np.float64) / 255.0
    a = ((a.astype(np.float32) - np.float32(CLIP_MEAN)) / np.float32(CLIP_STD)).astype(np.float32)
    return torch.from_numpy(np.ascontiguousarray(a.transpose(2, 0, 1)))[None]


def run_case(out_dir, case):
    torch.manual_seed(case['seed'])
    cfg = CLIPVisionConfig(
        hidden_size=case['hidden'], intermediate_size=case['intermediate'], num_hidden_layers=case['layers'],
        num_attention_heads=case['heads'], num_channels=3, image_size=case['imageSize'], patch_size=case['patch'],
        hidden_act=case['hiddenAct'], layer_norm_eps=case['eps'], attention_dropout=0.0,
    )
    model = CLIPVisionModel(cfg).eval()
    projector = nn.Sequential(nn.Linear(case['hidden'], case['llmHidden']), nn.GELU(), nn.Linear(case['llmHidden'], case['llmHidden'])).eval()
    redraw(model, projector, case)

    d = os.path.join(out_dir, case['name'])
    os.makedirs(d, exist_ok=True)
    params = {}
    tensors = dict(model.state_dict())
    tensors.update({'mm_projector.' + k: v for k, v in projector.state_dict().items()})
    for k, v in tensors.items():
        if not v.is_floating_point():
            continue
        write_f32(os.path.join(d, k + '.bin'), v)
        params[k] = {'file': k + '.bin', 'shape': list(v.shape)}

    S = case['imageSize']
    # Uniform over CLIP-normalised pixel range (0 → -1.79, 255 → 2.15), then standard normal noise.
    draws = [('uniform', lambda: torch.rand(1, 3, S, S) * 3.94 - 1.79), ('randn', lambda: torch.randn(1, 3, S, S))]
    inputs = [(label, draw()) for label, draw in draws[:case.get('randomInputs', 2)]]
    if case.get('realImage'):
        inputs.append(('image', pixels_from_image(case['realImage'], S)))
    cases = []
    with torch.no_grad():
        for k, (label, px) in enumerate(inputs):
            hs = model(pixel_values=px, output_hidden_states=True).hidden_states
            y = projector(hs[case['featureLayer']][:, 1:])
            write_f32(os.path.join(d, f'input_{k}.bin'), px)
            write_f32(os.path.join(d, f'expected_{k}.bin'), y)
            cases.append({'label': label, 'input': f'input_{k}.bin', 'expected': f'expected_{k}.bin',
                          'inputShape': list(px.shape), 'shape': list(y.shape), 'absMax': float(y.abs().max())})
    attn = model.vision_model.encoder.layers[0].self_attn
    manifest = {'attnImplementation': model.config._attn_implementation, 'attnClass': type(attn).__name__,
                'params': params, 'cases': cases}
    with open(os.path.join(d, 'manifest.json'), 'w') as f:
        json.dump(manifest, f)
    return manifest


def main():
    out_dir, cases = sys.argv[1], json.loads(sys.argv[2])
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    impl = {}
    for case in cases:
        m = run_case(out_dir, case)
        impl[case['name']] = f"{m['attnImplementation']} ({m['attnClass']})"
    print(json.dumps({'torch': torch.__version__, 'transformers': transformers.__version__, 'attention': impl}))


if __name__ == '__main__':
    main()
