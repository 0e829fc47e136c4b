# Oracle for eve-eval's MM-Vet totals: the aggregation step of yuweihao/MM-Vet's mm-vet_evaluator.py
# (@c7ff270: load_metadata + export_result), re-expressed with numpy only (no pandas here), applied to a
# grade file and mm-vet.json. Usage: python3 mmvet_official_aggregation.py MM_VET_JSON GRADE_FILE NUM_RUN
# Prints JSON: the per-run totals, mean and std unrounded, and every column rounded as the evaluator prints.
import json
import sys
from collections import Counter

import numpy as np

mmvet_json, grade_file, num_run = sys.argv[1], sys.argv[2], int(sys.argv[3])
data = json.load(open(mmvet_json))
grades = json.load(open(grade_file))

counter = Counter()
cap_sets, cap_set_counts = [], []
for qid, v in data.items():
    caps = set(v["capability"])
    counter.update(caps)
    if caps in cap_sets:
        cap_set_counts[cap_sets.index(caps)] += 1
    else:
        cap_sets.append(caps)
        cap_set_counts.append(1)
columns = [k for k, _ in counter.most_common()] + ["total"]
order = np.argsort(-np.array(cap_set_counts))
cap_sets = [cap_sets[i] for i in order]
cap_set_counts = [cap_set_counts[i] for i in order]
counter["total"] = len(data)

cap_sums = {k: [0.0] * num_run for k in columns}
set_sums = [[0.0] * num_run for _ in cap_sets]
for qid, g in grades.items():
    caps = set(data[qid]["capability"])
    for i in range(num_run):
        s = g["score"][i]
        for c in caps:
            cap_sums[c][i] += s
        cap_sums["total"][i] += s
        set_sums[cap_sets.index(caps)][i] += s

per_cap = {k: np.array(v) / counter[k] * 100 for k, v in cap_sums.items()}
totals = per_cap["total"]
print(json.dumps({
    "runs": [float(x) for x in totals],
    "total": float(totals.mean()),
    "std": float(totals.std()),
    "printed": {k: float(round(v.mean(), 1)) for k, v in per_cap.items()},
    "printed_runs": [float(x) for x in np.round(totals.copy(), 1)],
    "printed_std": float(round(totals.std(), 1)),
    # capability sets keyed by their sorted members (the evaluator's names depend on set iteration order)
    "sets": {"_".join(sorted(c)): float(round(np.mean(np.array(set_sums[i]) / cap_set_counts[i] * 100), 1)) for i, c in enumerate(cap_sets)},
}))
