# Oracle for eve-eval's reading of an MM-Vet judge reply: the official evaluator's own expression,
# float(content.split(" ")[0].strip()) with its range test (yuweihao/MM-Vet mm-vet_evaluator.py), run by
# CPython on each string of a JSON list. Prints [[score or null or "nan", stripped word], ...].
import json
import math
import sys

out = []
for content in json.load(open(sys.argv[1], encoding="utf-8")):
    word = content.split(" ")[0].strip()
    try:
        score = float(word)
        if score > 1.0 or score < 0.0:
            raise ValueError
        out.append(["nan" if math.isnan(score) else score, word])
    except ValueError:
        out.append([None, word])
print(json.dumps(out))
