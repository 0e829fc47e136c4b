#!/usr/bin/env bash
# Re-score the committed fixture answers (ci/predictions/, written by ci/make-fixture-answers.ts: known non-zero
# scores) into a results file beside the tiny-model run, as model "fixture-answers", so the gate has numbers
# that can regress. Usage: bash ci/rescore.sh runs/ci/results.json
set -euo pipefail
out=${1:?usage: bash ci/rescore.sh RESULTS.json}
cd "$(dirname "$0")/.."
for b in pope mme gqa textvqa; do
  npx eve-eval score --benchmark "$b" --data fixtures/data --predictions "ci/predictions/$b.jsonl" --model fixture-answers --results "$out" > /dev/null
done
