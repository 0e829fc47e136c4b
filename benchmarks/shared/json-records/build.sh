#!/usr/bin/env bash
# Rebuilds scan.wasm from scan.c (Debian: apt install clang-14 lld-14). The .wasm is committed, so neither
# installing nor running eve-eval needs a compiler; test/benchmarks/shared/json-records.test.ts checks that the
# committed file is what this script builds. The memory is shared (a SharedArrayBuffer) only so that it never
# moves when it grows: json-records.ts reads the next piece of the file into it while scan.c works.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/scan.wasm}"
PATH="/usr/lib/llvm-14/bin:$PATH" "${CLANG:-clang-14}" --target=wasm32 -O3 -msimd128 -mbulk-memory -matomics -nostdlib -fno-builtin -ffile-prefix-map="$here"=. \
  -Wl,--no-entry -Wl,--export=__heap_base -Wl,--shared-memory -Wl,--initial-memory=131072 -Wl,--max-memory=4294967296 \
  -Wl,-z,stack-size=65536 -Wl,--strip-all -o "$out" "$here/scan.c"
