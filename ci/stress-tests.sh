#!/usr/bin/env bash
# Both test suites three times in a row with one core kept busy (`yes > /dev/null`), as on a loaded laptop:
# prints one line per suite and round (exit status, seconds, counts). Run from the repository root.
set -u
cd "$(dirname "$0")/.."
yes > /dev/null &
busy=$!
trap 'kill $busy' EXIT
status=0
for round in 1 2 3; do
  for suite in test test:e2e; do
    log="test-artifacts/stress-${suite/:/-}-$round.log"
    mkdir -p test-artifacts
    start=$(date +%s)
    npm run -s "$suite" -- --reporter=dot > "$log" 2>&1
    rc=$?
    [ $rc -eq 0 ] || status=1
    echo "round $round $suite: exit $rc, $(( $(date +%s) - start )) s, $(grep -a 'Tests ' "$log" | sed 's/\x1b\[[0-9;]*m//g' | tr -s ' ')"
  done
done
exit $status
