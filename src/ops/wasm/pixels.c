/* Per-sample ops (posterize, solarize), the flip/pad-crop baseline and normalisation. */
#include <wasm_simd128.h>
#include "kernels.h"

/* d = s & mask over n bytes; d may be s. */
EXPORT("posterize") void posterize(const u8 *s, u8 *d, int n, int mask) {
  const v128_t m = wasm_i8x16_splat((char)mask);
  int i = 0;
  for (; i + 16 <= n; i += 16) wasm_v128_store(d + i, wasm_v128_and(wasm_v128_load(s + i), m));
  for (; i < n; i++) d[i] = s[i] & mask;
}

/*
 * d = s < t ? s : 255 - s with an integer threshold t in [0, 256]; d may be s. 255 − v is v ^ 255,
 * and v >= t exactly when the saturating t − v is 0, so d = v ^ (t −sat v == 0).
 * (Not `lt_u`/`bitselect`: V8 lowers those through xmm15, its scalar scratch register, and leaves
 * it holding bits that slow down later scalar double code; see affine.c.)
 */
EXPORT("solarize") void solarize(const u8 *s, u8 *d, int n, int t) {
  if (t > 255) {
    __builtin_memmove(d, s, n);
    return;
  }
  const v128_t k = wasm_u8x16_splat((u8)t);
  const v128_t zero = wasm_u8x16_splat(0);
  int i = 0;
  for (; i + 16 <= n; i += 16) {
    const v128_t v = wasm_v128_load(s + i);
    wasm_v128_store(d + i, wasm_v128_xor(v, wasm_i8x16_eq(wasm_u8x16_sub_sat(k, v), zero)));
  }
  for (; i < n; i++) d[i] = s[i] < t ? s[i] : 255 - s[i];
}

/*
 * Optional horizontal flip, then the crop at (dx, dy) of the image zero-padded by `pad` (see
 * flipCrop.ts). d must not be s.
 */
EXPORT("flip_crop") void flip_crop(const u8 *s, u8 *d, int w, int h, int ch, int flip, int dx, int dy, int pad) {
  const int row = w * ch;
  for (int y = 0; y < h; y++, d += row) {
    const int sy = y + dy - pad;
    if (sy < 0 || sy >= h) {
      __builtin_memset(d, 0, row);
      continue;
    }
    /* Output columns [x0, x1) come from the image, the rest are padding. */
    int x0 = pad - dx;
    x0 = x0 < 0 ? 0 : x0 > w ? w : x0;
    int x1 = w + pad - dx;
    x1 = x1 > w ? w : x1 < x0 ? x0 : x1;
    const u8 *r = s + sy * row;
    __builtin_memset(d, 0, x0 * ch);
    __builtin_memset(d + x1 * ch, 0, (w - x1) * ch);
    if (!flip) {
      __builtin_memcpy(d + x0 * ch, r + (x0 + dx - pad) * ch, (x1 - x0) * ch);
      continue;
    }
    for (int x = x0; x < x1; x++) {
      const u8 *p = r + (w - 1 - (x + dx - pad)) * ch;
      for (int c = 0; c < ch; c++) d[x * ch + c] = p[c];
    }
  }
}

/* d[i] = table[channel(i) * 256 + s[i]] over n samples of ch channels. */
EXPORT("normalize") void normalize(const u8 *s, float *d, int n, int ch, const float *table) {
  FOR_EACH_SAMPLE(n, ch, d[i] = table[c * 256 + s[i]]);
}
