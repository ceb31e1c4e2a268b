#!/bin/sh
# Builds src/ops/wasm/kernels.wasm from the C sources beside it (needs clang and lld with the
# wasm32 target; Debian: apt-get install clang lld). The .wasm is committed: CI has no clang.
# -ffp-contract=off: no fused multiply-add, so every double matches Pillow's separate operations.
set -eu
cd "$(dirname "$0")/../src/ops/wasm"
clang --target=wasm32 -O3 -msimd128 -mbulk-memory -mnontrapping-fptoint -ffp-contract=off \
  -ffreestanding -nostdlib -fno-vectorize -fno-slp-vectorize -Wall -Wextra -Werror \
  -Wl,--no-entry -Wl,--import-memory -Wl,--export=__heap_base -Wl,-z,stack-size=8192 \
  -o kernels.wasm affine.c lut.c mix.c pixels.c threefry.c
# The bytes, base64, as a module: src/ops loads them synchronously without file I/O (workers, jest).
{
  echo '/** kernels.wasm as base64, written by scripts/build-wasm.sh (test/ops/kernels.test.ts checks they agree). */'
  printf "export const kernelsWasm =\n  '%s';\n" "$(base64 -w0 kernels.wasm)"
} > kernelsWasm.ts
