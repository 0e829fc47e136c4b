#!/usr/bin/env bash
# Rebuilds resample.wasm from resample.c (Debian: apt install clang-14 lld-14). The .wasm is committed, so
# neither installing nor running eve-eval needs a compiler; test/adapters/resample-wasm.test.ts checks that
# the committed file is what this script builds.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/resample.wasm}"
PATH="/usr/lib/llvm-14/bin:$PATH" "${CLANG:-clang-14}" --target=wasm32 -O3 -msimd128 -nostdlib -fno-builtin -ffile-prefix-map="$here"=. \
  -Wl,--no-entry -Wl,--export=__heap_base -Wl,--initial-memory=131072 -Wl,-z,stack-size=16384 \
  -Wl,--strip-all -o "$out" "$here/resample.c"
