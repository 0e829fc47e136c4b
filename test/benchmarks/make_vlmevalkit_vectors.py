# Writes test/benchmarks/vlmevalkit-can-infer.vectors.json: VLMEvalKit's own can_infer, run on seeded hostile
# replies, for test/benchmarks/choices.test.ts to hold eve-eval's port to. The original file is not in this
# repository: pass its path (open-compass/VLMEvalKit @e8e78f0 vlmeval/utils/matching_util.py), e.g.
#   python3 test/benchmarks/make_vlmevalkit_vectors.py /path/to/VLMEvalKit/vlmeval/utils/matching_util.py
# Its one import (vlmeval's logger) is replaced by a stand-in; VERBOSE stays unset, as in a default run.
import hashlib
import json
import os
import random
import sys

src_path = sys.argv[1]
src = open(src_path, encoding="utf-8").read()
namespace = {}
exec(compile(src.replace("from vlmeval.smp.log import get_logger", "import logging\nget_logger = logging.getLogger"), src_path, "exec"), namespace)
can_infer = namespace["can_infer"]
os.environ.pop("VERBOSE", None)

OPTION_SETS = [
    {"A": "red", "B": "blue", "C": "green", "D": "yellow"},
    {"A": "a cat", "B": "a dog", "C": "A"},
    {"A": "yes", "B": "no"},
    {"A": "İstanbul", "B": "Paris", "C": "the answer is B", "D": "Z"},
]
PIECES = ["A", "B", "C", "D", "E", "Z", "a", "b", "(", ")", ".", ",", ":", "*", "**", "#", "[", "]", "{", "}", ";", "!",
          " ", "  ", "\n", "\t", "\u00a0", "\x1c", "The answer is", "the correct answer is", "answer is", "Answer:",
          "red", "Blue", "dog", "cat", "yes", "no", "İ", "Paris", "option", "I think", "because", "so", "Cannot determine the answer",
          "Failed to obtain answer via API", "ſ", "K", "The", "is", "correct"]
rnd = random.Random(20261201)
vectors = []
for i in range(5000):
    k = i % len(OPTION_SETS)
    reply = "".join(rnd.choice(PIECES) + (" " if rnd.random() < 0.5 else "") for _ in range(rnd.randint(1, 10)))
    out = can_infer(reply, dict(OPTION_SETS[k]))
    vectors.append([reply, k, out if out else None])
sha = hashlib.sha256(src.encode("utf-8")).hexdigest()
json.dump({"source": {"repo": "open-compass/VLMEvalKit", "commit": "e8e78f05", "path": "vlmeval/utils/matching_util.py", "sha256": sha},
           "optionSets": OPTION_SETS, "vectors": vectors}, open(os.path.join(os.path.dirname(__file__), "vlmevalkit-can-infer.vectors.json"), "w", encoding="utf-8"), ensure_ascii=False)
print(f"{len(vectors)} vectors, {sum(v[2] is not None for v in vectors)} read a letter")
