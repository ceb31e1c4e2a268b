/*
 * Threefry-2x32, 20 rounds (threefry.ts has the scalar form and the reference), for many counters
 * at once: four blocks per step in the lanes of 128-bit vectors.
 */
#include <wasm_simd128.h>
#include "kernels.h"

#define ROUND(r)                   \
  x0 = wasm_i32x4_add(x0, x1);     \
  x1 = wasm_v128_xor(wasm_v128_or(wasm_i32x4_shl(x1, r), wasm_u32x4_shr(x1, 32 - (r))), x0)

/* Four rounds, then the key words a, b and the injection count i. */
#define GROUP(r0, r1, r2, r3, a, b, i) \
  ROUND(r0);                           \
  ROUND(r1);                           \
  ROUND(r2);                           \
  ROUND(r3);                           \
  x0 = wasm_i32x4_add(x0, a);          \
  x1 = wasm_i32x4_add(x1, wasm_i32x4_add(b, wasm_i32x4_splat(i)))

/*
 * The blocks of counters (c0, c1 + j) under key (k0, k1) for j < n, their two words at out[2j]
 * and out[2j + 1]; out has room for n rounded up to a multiple of 4 blocks.
 */
EXPORT("threefry_blocks") void threefry_blocks(u32 k0, u32 k1, u32 c0, u32 c1, int n, u32 *out) {
  const v128_t ks0 = wasm_i32x4_splat((int)k0);
  const v128_t ks1 = wasm_i32x4_splat((int)k1);
  const v128_t ks2 = wasm_i32x4_splat((int)(0x1bd11bda ^ k0 ^ k1));
  const v128_t first = wasm_i32x4_splat((int)(c0 + k0));
  for (int j = 0; j < n; j += 4, out += 8) {
    v128_t x0 = first;
    v128_t x1 = wasm_i32x4_add(wasm_i32x4_make((int)(c1 + j), (int)(c1 + j + 1), (int)(c1 + j + 2), (int)(c1 + j + 3)), ks1);
    GROUP(13, 15, 26, 6, ks1, ks2, 1);
    GROUP(17, 29, 16, 24, ks2, ks0, 2);
    GROUP(13, 15, 26, 6, ks0, ks1, 3);
    GROUP(17, 29, 16, 24, ks1, ks2, 4);
    GROUP(13, 15, 26, 6, ks2, ks0, 5);
    wasm_v128_store(out, wasm_i32x4_shuffle(x0, x1, 0, 4, 1, 5));
    wasm_v128_store(out + 4, wasm_i32x4_shuffle(x0, x1, 2, 6, 3, 7));
  }
}
