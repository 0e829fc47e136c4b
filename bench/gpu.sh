#!/usr/bin/env bash
# The runtime benchmark (bench/runtime.ts) on a GPU machine: the tiny bundles with --device cpu and
# webgpu (BENCH_DEVICES="cpu cuda webgpu" to add cuda), printing the same table (prefill/decode
# tokens/s at batch 1 and 8, share of time outside session.run) once per device, and writing
# bench-<device>.json to $OUT (or .bench/); then the correctness check (bench/gpu-check.ts): greedy
# tokens on cpu vs webgpu at batch 1 and 8, written to gpu-check.json.
#
# The GPU machine has no network and no Node.js, so the work is split in two:
#   bash bench/gpu.sh pack   here: bundles bench/runtime.ts and bench/gpu-check.ts (and everything they
#                            import) into one .mjs each with esbuild, and packs this machine's node binary, the Linux x64 native
#                            modules (onnxruntime-node, sharp/libvips) and the Vulkan loader .debs into
#                            .bench/gpu/ (git-ignored; about 40 MB, to carry with the working tree).
#   bash bench/gpu.sh run    there (device tool: carry [".bench/gpu"]): unpacks, puts the Vulkan
#                            loader in place for WebGPU, runs the benchmark and the check. Installs nothing from
#                            the network.
#   bash bench/gpu.sh export there: builds the EVE-7B-shaped q4 bundle on that machine and measures WebGPU
#                            prefill and decode at batch 1, 8, 32 (bench/export-gpu.ts; about 10 minutes).
# Known limits: onnxruntime-node ships no CUDA provider in its npm package (its installer downloads it
# from NuGet at install time, and it needs CUDA 12 + cuDNN 9 libraries), so "--device cuda" prints the
# fallback notice and measures the CPU unless libonnxruntime_providers_{shared,cuda}.so were placed
# beside libonnxruntime.so.1 in the pack. WebGPU uses the Dawn build bundled in onnxruntime-node,
# on Vulkan with the NVIDIA ICD.
set -uo pipefail
cd "$(dirname "$0")/.."
PACK=.bench/gpu

pack() {
  set -e
  rm -rf "$PACK"
  mkdir -p "$PACK/stage/node_modules/@img" "$PACK/stage/node_modules/onnxruntime-node/bin/napi-v6/linux" "$PACK/debs"
  # One ESM file; the native packages stay external and travel as files.
  local f
  for f in runtime gpu-check export-gpu; do
    npx esbuild "bench/$f.ts" --bundle --platform=node --format=esm --target=node20 --log-level=warning \
      --external:onnxruntime-node --external:sharp \
      --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" \
      --outfile="$PACK/stage/bench-$f.mjs"
  done
  local nm=node_modules
  cp -r "$nm/onnxruntime-common" "$nm/sharp" "$nm/detect-libc" "$nm/semver" "$PACK/stage/node_modules/"
  cp -r "$nm/@img/colour" "$nm/@img/sharp-linux-x64" "$nm/@img/sharp-libvips-linux-x64" "$PACK/stage/node_modules/@img/"
  cp "$nm/onnxruntime-node/package.json" "$PACK/stage/node_modules/onnxruntime-node/"
  cp -r "$nm/onnxruntime-node/dist" "$PACK/stage/node_modules/onnxruntime-node/"
  cp -r "$nm/onnxruntime-node/bin/napi-v6/linux/x64" "$PACK/stage/node_modules/onnxruntime-node/bin/napi-v6/linux/"
  cp "$(readlink -f "$(command -v node)")" "$PACK/stage/node"
  # Vulkan loader and GL dispatch libraries for the NVIDIA ICD (Debian packages, downloaded here only).
  local o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/eve-eval-apt-amd64'
  mkdir -p /tmp/eve-eval-apt-amd64/partial
  # shellcheck disable=SC2086
  apt-get $o update -qq >/dev/null && (cd "$PACK/debs" && apt-get $o download libvulkan1 libglvnd0 libegl1 libgl1 libglx0 libopengl0 >/dev/null) \
    || echo "gpu.sh: could not download the Vulkan loader .debs; WebGPU will need libvulkan1 on the GPU machine"
  tar -C "$PACK/stage" -cf - . | xz -T0 -9 >"$PACK/stage.tar.xz"  # -9: the pack travels with the tree under a 64 MiB cap
  rm -rf "$PACK/stage"
  du -sh "$PACK"
}

stage=/tmp/eve-eval-gpu

unpack() {
  [ -f "$PACK/stage.tar.xz" ] || { echo "gpu.sh: $PACK/stage.tar.xz missing: run 'bash bench/gpu.sh pack' first and carry $PACK"; exit 2; }
  rm -rf "$stage" && mkdir -p "$stage" && xz -dc "$PACK/stage.tar.xz" | tar -C "$stage" -xf -
  # The bundles resolve fixtures/ relative to themselves (../fixtures from bench/), and their
  # external packages from the repo's node_modules: put both where they look, without touching a real one.
  cp "$stage/bench-runtime.mjs" bench/.gpu-runtime.mjs
  cp "$stage/bench-gpu-check.mjs" bench/.gpu-check.mjs
  cp "$stage/bench-export-gpu.mjs" bench/.gpu-export-gpu.mjs
  if [ ! -e node_modules ]; then ln -s "$stage/node_modules" node_modules; fi
  if ! ldconfig -p 2>/dev/null | grep -q libvulkan.so.1 && ls "$PACK"/debs/*.deb >/dev/null 2>&1; then
    for f in "$PACK"/debs/*.deb; do dpkg -x "$f" /; done
    ldconfig
  fi
  if [ -z "${VK_DRIVER_FILES:-}" ] && [ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ]; then
    export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
  fi
  export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"
}

cleanup() {
  rm -f bench/.gpu-runtime.mjs bench/.gpu-check.mjs bench/.gpu-export-gpu.mjs
  [ -L node_modules ] && rm node_modules
  return 0
}

run() {
  unpack
  command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
  local out="${OUT:-.bench}"
  mkdir -p "$out"
  local rc=0
  # cuda is left out by default: without the CUDA provider libraries in the pack it only measures the
  # CPU again (see above), and the device time is better spent on the check.
  for dev in ${BENCH_DEVICES:-cpu webgpu}; do
    echo "== --device $dev"
    "$stage/node" bench/.gpu-runtime.mjs --device "$dev" --json "$out/bench-$dev.json" || rc=1
  done
  # Correctness: the same greedy tokens on the CPU and on WebGPU (GPU-resident KV cache), batch 1 and 8.
  echo "== gpu-check: cpu vs webgpu"
  "$stage/node" bench/.gpu-check.mjs --devices cpu,webgpu --json "$out/gpu-check.json" || rc=1
  cleanup
  return $rc
}

# The 7B export on the GPU machine (bench/export-gpu.ts): builds the EVE-7B-shaped checkpoint and q4 bundle
# there (about 20 GB of /tmp), then WebGPU prefill and decode at batch 1, 8 and 32. The bundle stays in
# /tmp/eve-eval-export-7b while the machine is held, so a second call only measures.
export_7b() {
  unpack
  local out="${OUT:-.bench}"
  mkdir -p "$out"
  command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$out/gpu.txt"
  "$stage/node" bench/.gpu-export-gpu.mjs --device "${BENCH_DEVICE:-webgpu}" --json "$out/export-gpu.json" 2>&1 | tee "$out/export-gpu.log"
  local rc=${PIPESTATUS[0]}
  cleanup
  return "$rc"
}

case "${1:-run}" in
  pack) pack ;;
  run) run ;;
  export) export_7b ;;
  *) echo "usage: bash bench/gpu.sh pack|run|export"; exit 2 ;;
esac
