"""HF transformers' decode(skip_special_tokens=True), the reference every eval script uses to turn generated ids
into answer text. Reads {"bundles": [{"dir": ..., "seqs": [[ids...], ...]}]} from argv[1]; prints the decoded
strings as JSON, one list per bundle."""
import json
import sys

from transformers import AutoTokenizer

spec = json.load(open(sys.argv[1], encoding="utf-8"))
out = []
for bundle in spec["bundles"]:
    tok = AutoTokenizer.from_pretrained(bundle["dir"], local_files_only=True)
    out.append([tok.decode(ids, skip_special_tokens=True) for ids in bundle["seqs"]])
json.dump(out, sys.stdout, ensure_ascii=True)
