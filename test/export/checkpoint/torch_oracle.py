"""Reference side of the checkpoint tests: torch / safetensors / transformers write files and check ours.

Usage: torch_oracle.py DIR TASK [TASK ...]. Each task reads and writes under DIR; stdout is one JSON object
{task: result}. Expected values go out as raw little-endian float32 (numpy .tofile), so the TypeScript side
compares bytes exactly.
"""
import collections
import json
import os
import sys
import zipfile

import numpy as np
import torch


def dump_expected(d, name, sd):
    """Writes name.<i>.f32 per tensor; returns the manifest the tests compare against."""
    out = []
    for i, (k, t) in enumerate(sd.items()):
        t.detach().to(torch.float32).contiguous().numpy().astype("<f4").tofile(os.path.join(d, f"{name}.{i}.f32"))
        out.append({"key": k, "shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", ""), "expected": f"{name}.{i}.f32"})
    return out


def torch_files(d):
    g = torch.Generator().manual_seed(0)
    sd = collections.OrderedDict()
    sd["f32"] = torch.randn(3, 4, generator=g)
    sd["f16"] = torch.randn(5, generator=g).to(torch.float16)
    sd["bf16"] = torch.randn(2, 3, generator=g).to(torch.bfloat16)
    sd["f64"] = torch.randn(2, 2, generator=g, dtype=torch.float64)
    sd["i64"] = torch.tensor([-3, 0, 7, 1 << 40], dtype=torch.int64)
    sd["i32"] = torch.tensor([-(1 << 20), 5], dtype=torch.int32)
    sd["i16"] = torch.tensor([-300, 300], dtype=torch.int16)
    sd["i8"] = torch.tensor([-128, 127], dtype=torch.int8)
    sd["u8"] = torch.tensor([0, 255], dtype=torch.uint8)
    sd["bool"] = torch.tensor([True, False, True])
    sd["scalar"] = torch.tensor(2.5)
    m = torch.randn(3, 5, generator=g)
    sd["matrix"] = m
    sd["matrix_t"] = m.t()  # non-contiguous view of the same storage
    base = torch.arange(16, dtype=torch.float16)
    sd["share_a"] = base[2:6]
    sd["share_b"] = base[10:].view(2, 3)
    grid = torch.randn(4, 5, generator=g)
    sd["slice"] = grid[:, 1:3]  # storage offset 1, strides (5, 1)
    sd["expanded"] = torch.arange(3.0).expand(2, 3)  # stride 0
    sd["empty"] = torch.zeros(0, 3)
    sd["param"] = torch.nn.Parameter(torch.randn(2, 2, generator=g))
    torch.save(sd, os.path.join(d, "fixtures.pt"))
    plain = {"x": torch.randn(2, generator=g), "y": torch.randn(1, 3, generator=g).to(torch.float16)}
    torch.save(plain, os.path.join(d, "plain.pt"))
    small = collections.OrderedDict(w=torch.ones(2))
    torch.save(small, os.path.join(d, "legacy.pt"), _use_new_zipfile_serialization=False)
    torch.save({"state_dict": small}, os.path.join(d, "nested.pt"))
    torch.save(collections.OrderedDict(w=torch.ones(2), step=3), os.path.join(d, "with_int.pt"))
    torch.save(collections.OrderedDict(w=torch.ones(2), c=collections.Counter()), os.path.join(d, "counter.pt"))

    class Tiny(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = torch.nn.Linear(2, 2)

        def forward(self, x):
            return self.lin(x)

    torch.jit.save(torch.jit.script(Tiny()), os.path.join(d, "scripted.pt"))
    with zipfile.ZipFile(os.path.join(d, "fixtures.pt")) as z:
        records = z.namelist()
    return {"fixtures.pt": dump_expected(d, "fixtures", sd), "plain.pt": dump_expected(d, "plain", plain), "records": records}


def st_files(d):
    from safetensors.torch import save_file

    g = torch.Generator().manual_seed(1)
    sd = {
        "a.f32": torch.randn(3, 2, generator=g),
        "b.f16": torch.randn(7, generator=g).to(torch.float16),
        "c.bf16": torch.randn(2, 2, 2, generator=g).to(torch.bfloat16),
        "d.f64": torch.randn(3, generator=g, dtype=torch.float64),
        "e.i64": torch.tensor([-1, 1 << 33], dtype=torch.int64),
        "f.i32": torch.tensor([-7, 9], dtype=torch.int32),
        "g.i16": torch.tensor([-2, 2], dtype=torch.int16),
        "h.i8": torch.tensor([-1, 1], dtype=torch.int8),
        "i.u8": torch.tensor([0, 200], dtype=torch.uint8),
        "j.bool": torch.tensor([False, True]),
        "k.scalar": torch.tensor(1.25),
        "l.empty": torch.zeros(2, 0),
        "10": torch.ones(1),
        "9": torch.zeros(1),
    }
    save_file(sd, os.path.join(d, "python.safetensors"), metadata={"format": "pt"})
    return dump_expected(d, "python", collections.OrderedDict(sd))


def check_values(t, src, shape, dtype):
    want = torch.from_numpy(np.fromfile(src, dtype="<f4").reshape(shape)).to(dtype)
    if t.dtype != dtype or list(t.shape) != list(shape):
        return f"got {t.dtype} {list(t.shape)}, want {dtype} {list(shape)}"
    bits = {torch.float32: torch.int32, torch.float16: torch.int16, torch.bfloat16: torch.int16}[dtype]
    if not torch.equal(t.contiguous().view(bits), want.contiguous().view(bits)):
        diff = (t.contiguous().view(bits) != want.contiguous().view(bits)).nonzero()
        i = diff[0].tolist()
        return f"{len(diff)} elements differ, first at {i}: got {t[tuple(i)].item()!r}, want {want[tuple(i)].item()!r}"
    return None


DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}


def verify(d):
    """Loads every file ours.json lists with the reference library; reports per-file problems."""

    def load_file(p):
        from safetensors.torch import load_file as load

        return load(p)

    with open(os.path.join(d, "ours.json")) as f:
        manifest = json.load(f)
    out = {}
    for item in manifest:
        path = os.path.join(d, item["file"])
        res = {"errors": []}
        try:
            if item["format"] == "torch":
                sd = torch.load(path)
                res["type"] = type(sd).__name__
                with zipfile.ZipFile(path) as z:
                    res["testzip"] = z.testzip()  # first entry with a bad CRC, or None
                    res["records"] = z.namelist()
                    res["zip64_extra"] = all(i.extra[:2] == b"\x01\x00" for i in z.infolist())
            elif item["format"] == "safetensors":
                sd = load_file(path)
            else:  # a sharded folder: index, then every shard
                with open(os.path.join(path, item["index"])) as f:
                    index = json.load(f)
                res["total_size"] = index["metadata"]["total_size"]
                sd = collections.OrderedDict()
                for shard in sorted(set(index["weight_map"].values())):
                    p = os.path.join(path, shard)
                    part = torch.load(p) if shard.endswith(".bin") else load_file(p)
                    for k in part:
                        if index["weight_map"].get(k) != shard:
                            res["errors"].append(f"{k} in {shard} but mapped to {index['weight_map'].get(k)}")
                    sd.update(part)
            res["keys"] = list(sd.keys())
            for t in item["tensors"]:
                if t["name"] not in sd:
                    res["errors"].append(f"{t['name']}: missing")
                    continue
                err = check_values(sd[t["name"]], os.path.join(d, t["src"]), t["shape"], DTYPES[t["dtype"]])
                if err:
                    res["errors"].append(f"{t['name']}: {err}")
        except Exception as e:  # reported, so the test shows what the reference library said
            res["errors"].append(f"{type(e).__name__}: {e}")
        out[item["file"]] = res
    return out


def tiny_llama():
    from transformers import LlamaConfig, LlamaForCausalLM

    cfg = LlamaConfig(vocab_size=128, hidden_size=64, intermediate_size=128, num_hidden_layers=4,
                      num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64)
    torch.manual_seed(0)
    return LlamaForCausalLM(cfg)


def hf(d):
    import transformers

    transformers.logging.set_verbosity_error()
    m = tiny_llama()
    m.save_pretrained(os.path.join(d, "hf-bin"), max_shard_size="200KB", safe_serialization=False)
    m.save_pretrained(os.path.join(d, "hf-st"), max_shard_size="200KB", safe_serialization=True)
    m.save_pretrained(os.path.join(d, "hf-single"), safe_serialization=True)
    return dump_expected(d, "hf", m.state_dict())


def hf_reload(d):
    """transformers loads the folders our writeShardedCheckpoint wrote, equal to the original model."""
    import transformers
    from transformers import LlamaForCausalLM

    transformers.logging.set_verbosity_error()
    want = tiny_llama().state_dict()
    out = {}
    for name in ("ours-bin", "ours-st"):
        got = LlamaForCausalLM.from_pretrained(os.path.join(d, name)).state_dict()
        bad = [k for k in want if not torch.equal(got[k], want[k])]
        out[name] = {"keys": len(got), "mismatched": bad}
    return out


TASKS = {"torch-files": torch_files, "st-files": st_files, "verify": verify, "hf": hf, "hf-reload": hf_reload}

if __name__ == "__main__":
    directory = sys.argv[1]
    print(json.dumps({t: TASKS[t](directory) for t in sys.argv[2:]}))
