/*
 * AugMix's mixing step (see mix.ts): per sample, acc = Σ_i float32(w_i·norm(chain_i)) added in
 * float32 in chain order, out = float32((1 − m)·norm(base) + float32(m·acc)). The products come
 * from per-chain tables (`scaled`, width + 1 blocks of ch·256 floats; the last is for 1 − m).
 * m is a double, multiplied in double and rounded once, as the JS formula does. When m (or a
 * weight w) is a float32 value, as sampled ones are, that is a float32 multiply: the double product
 * of two floats is exact, so both round the same product once; and the float32 sum of two floats
 * equals the double sum rounded to float32. The float paths save the conversions.
 */
#include "kernels.h"

/* dst[i] = float32(w · table[i]). */
EXPORT("scale") void scale(const float *table, double w, float *dst, int n) {
  const float wf = (float)w;
  if ((double)wf == w) {
    for (int i = 0; i < n; i++) dst[i] = wf * table[i];
    return;
  }
  for (int i = 0; i < n; i++) dst[i] = (float)(w * (double)table[i]);
}

static inline __attribute__((always_inline)) float blend(float keep, double m, float mf, int exact, float acc) {
  if (exact) return keep + mf * acc;
  return (float)((double)keep + (double)(float)(m * (double)acc));
}

static inline __attribute__((always_inline)) void mix33(const u8 *base, const u8 *const *chains,
    const float *scaled, double m, float mf, int exact, float *out, int n) {
  const u8 *a = chains[0], *b = chains[1], *c = chains[2];
  const float *sa = scaled, *sb = scaled + 768, *sc = scaled + 1536, *sk = scaled + 2304;
  for (int j = 0; j < n; j += 3) {
    for (int k = 0, t = 0; k < 3; k++, t += 256) {
      /* 0 + x is exact, so the first add starts from the first product. */
      const float acc = (sa[t + a[j + k]] + sb[t + b[j + k]]) + sc[t + c[j + k]];
      out[j + k] = blend(sk[t + base[j + k]], m, mf, exact, acc);
    }
  }
}

/* chains: `width` pointers to the chain images. n samples of ch channels. */
EXPORT("mix") void mix(const u8 *base, const u8 *const *chains, int width, const float *scaled,
                       double m, float *out, int n, int ch) {
  const int block = ch * 256;
  const float mf = (float)m;
  const int exact = (double)mf == m;
  if (width == 3 && ch == 3) {
    /* One copy per multiply kind, so the test is out of the loop. */
    if (exact) mix33(base, chains, scaled, m, mf, 1, out, n);
    else mix33(base, chains, scaled, m, mf, 0, out, n);
    return;
  }
  const float *keep = scaled + width * block;
  for (int j = 0, c = 0; j < n; j++) {
    float acc = 0;
    for (int i = 0; i < width; i++) acc += scaled[i * block + c * 256 + chains[i][j]];
    out[j] = blend(keep[c * 256 + base[j]], m, mf, exact, acc);
    if (++c == ch) c = 0;
  }
}
