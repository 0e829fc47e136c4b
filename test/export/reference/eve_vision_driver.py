# Driver for test/export/eve-vision.test.ts: builds the reference VisionTokenizer + mlp2x_gelu projector
# (eve_vision_tokenizer.py) with a seeded random init, dumps every parameter and the pixel inputs as raw
# float32 little-endian files, and writes the reference embeddings.
#
#   python eve_vision_driver.py SPEC.json OUT_DIR
#
# SPEC.json: {"configs": [{"name", "hidden", "llm_hidden", "patch", "conv_stride", "heads", "seed",
#   "qk_std", "cases": [{"name", "side", "region": [x0, y0, width, height] | null, "pad": "mean" | "noise"}]}]}
# OUT_DIR/<config>/manifest.json lists {"params": [{"name", "shape", "file"}], "cases": [{"name",
#   "pixel", "pixel_shape", "out", "out_shape", "hw"}]} with files relative to OUT_DIR/<config>.
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from eve_vision_tokenizer import VisionTokenizer, build_projector  # noqa: E402

CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073]
CLIP_STD = [0.26862954, 0.26130258, 0.27577711]


class Model(nn.Module):
    """The two parts of EVEMetaModel that the vision graph covers, under their checkpoint names."""

    def __init__(self, cfg):
        super().__init__()
        self.vision_tower = VisionTokenizer(cfg["hidden"], cfg["llm_hidden"], cfg["patch"], cfg["conv_stride"])
        self.mm_projector = build_projector(cfg["hidden"], cfg["llm_hidden"])


def init_weights(model, cfg):
    with torch.no_grad():
        vt = model.vision_tower
        vt.class_embedding.normal_(0, 0.5)
        vt.split_embedding.normal_(0, 0.5)
        for attn in (vt.local_attention, vt.global_attention):
            for seq in (attn.q, attn.kv):
                seq[0].weight.copy_(1 + 0.3 * torch.randn_like(seq[0].weight))
                seq[0].bias.normal_(0, 0.2)
                seq[1].weight.normal_(0, cfg["qk_std"])
            attn.proj.bias.normal_(0, 0.1)


def write(path, t):
    np.ascontiguousarray(t.detach().cpu().numpy(), dtype="<f4").tofile(path)


def pixels(case, cfg, gen):
    S = case["side"]
    x = torch.empty(1, 4, S, S)
    if case["pad"] == "noise":
        x[0, :3] = torch.randn(3, S, S, generator=gen)
    else:
        # The normalised mean colour that EVE pastes the image on (int(m * 255) per channel).
        for c in range(3):
            x[0, c] = (int(CLIP_MEAN[c] * 255) / 255 - CLIP_MEAN[c]) / CLIP_STD[c]
    x[0, 3] = 0
    if case["region"] is not None:
        x0, y0, w, h = case["region"]
        x[0, :3, y0:y0 + h, x0:x0 + w] = torch.randn(3, h, w, generator=gen)
        x[0, 3, y0:y0 + h, x0:x0 + w] = 1
    else:
        x[0, :3] = torch.randn(3, S, S, generator=gen)
    return x


def main():
    spec = json.load(open(sys.argv[1]))
    out_dir = sys.argv[2]
    for cfg in spec["configs"]:
        torch.manual_seed(cfg["seed"])
        model = Model(cfg).eval()
        init_weights(model, cfg)
        d = os.path.join(out_dir, cfg["name"])
        os.makedirs(d, exist_ok=True)
        params = []
        for i, (name, p) in enumerate(model.state_dict().items()):
            f = f"p{i}.bin"
            write(os.path.join(d, f), p)
            params.append({"name": name, "shape": list(p.shape), "file": f})
        gen = torch.Generator().manual_seed(cfg["seed"] + 1)
        cases = []
        with torch.no_grad():
            for j, case in enumerate(cfg["cases"]):
                x = pixels(case, cfg, gen)
                embeds, hw = model.vision_tower(x, model.mm_projector)
                write(os.path.join(d, f"x{j}.bin"), x)
                write(os.path.join(d, f"y{j}.bin"), embeds[0])
                cases.append({"name": case["name"], "pixel": f"x{j}.bin", "pixel_shape": list(x.shape),
                              "out": f"y{j}.bin", "out_shape": list(embeds[0].shape), "hw": [int(v) for v in hw[0]]})
        json.dump({"params": params, "cases": cases}, open(os.path.join(d, "manifest.json"), "w"), indent=1)


if __name__ == "__main__":
    main()
