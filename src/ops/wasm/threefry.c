/*
 * Threefry-2x32, 20 rounds (threefry.ts has the scalar form and the reference), for many counters
 * at once: eight blocks per step, in the lanes of two pairs of 128-bit vectors.
 */
#include <wasm_simd128.h>
#include "kernels.h"

/* One round on two independent groups of four blocks (x, y): two dependency chains to overlap. */
#define ROUND(r)                                                                              \
  x0 = wasm_i32x4_add(x0, x1);                                                                \
  y0 = wasm_i32x4_add(y0, y1);                                                                \
  x1 = wasm_v128_xor(wasm_v128_or(wasm_i32x4_shl(x1, r), wasm_u32x4_shr(x1, 32 - (r))), x0);   \
  y1 = wasm_v128_xor(wasm_v128_or(wasm_i32x4_shl(y1, r), wasm_u32x4_shr(y1, 32 - (r))), y0)

/* Four rounds, then the key words a, b and the injection count i. */
#define GROUP(r0, r1, r2, r3, a, b, i) \
  ROUND(r0);                           \
  ROUND(r1);                           \
  ROUND(r2);                           \
  ROUND(r3);                           \
  x0 = wasm_i32x4_add(x0, a);          \
  y0 = wasm_i32x4_add(y0, a);          \
  x1 = wasm_i32x4_add(x1, wasm_i32x4_add(b, wasm_i32x4_splat(i))); \
  y1 = wasm_i32x4_add(y1, wasm_i32x4_add(b, wasm_i32x4_splat(i)))

/*
 * The blocks of counters (c0, c1 + j) under key (k0, k1) for j < n, their two words at out[2j]
 * and out[2j + 1]; out has room for n rounded up to a multiple of 8 blocks.
 */
EXPORT("threefry_blocks") void threefry_blocks(u32 k0, u32 k1, u32 c0, u32 c1, int n, u32 *out) {
  const v128_t ks0 = wasm_i32x4_splat((int)k0);
  const v128_t ks1 = wasm_i32x4_splat((int)k1);
  const v128_t ks2 = wasm_i32x4_splat((int)(0x1bd11bda ^ k0 ^ k1));
  const v128_t first = wasm_i32x4_splat((int)(c0 + k0));
  for (int j = 0; j < n; j += 8, out += 16) {
    const u32 c = c1 + (u32)j;
    v128_t x0 = first, y0 = first;
    v128_t x1 = wasm_i32x4_add(wasm_i32x4_make((int)c, (int)(c + 1), (int)(c + 2), (int)(c + 3)), ks1);
    v128_t y1 = wasm_i32x4_add(wasm_i32x4_make((int)(c + 4), (int)(c + 5), (int)(c + 6), (int)(c + 7)), ks1);
    GROUP(13, 15, 26, 6, ks1, ks2, 1);
    GROUP(17, 29, 16, 24, ks2, ks0, 2);
    GROUP(13, 15, 26, 6, ks0, ks1, 3);
    GROUP(17, 29, 16, 24, ks1, ks2, 4);
    GROUP(13, 15, 26, 6, ks2, ks0, 5);
    wasm_v128_store(out, wasm_i32x4_shuffle(x0, x1, 0, 4, 1, 5));
    wasm_v128_store(out + 4, wasm_i32x4_shuffle(x0, x1, 2, 6, 3, 7));
    wasm_v128_store(out + 8, wasm_i32x4_shuffle(y0, y1, 0, 4, 1, 5));
    wasm_v128_store(out + 12, wasm_i32x4_shuffle(y0, y1, 2, 6, 3, 7));
  }
}
