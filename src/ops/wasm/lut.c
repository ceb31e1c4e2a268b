/*
 * The histogram ops, autocontrast and equalize (semantics in autocontrast.ts and equalize.ts):
 * per-channel histograms, a 256-entry table per channel, then one table pass. The tables are
 * integer arithmetic except autocontrast's scale, computed in double as Pillow does. Entries for
 * values absent from the image are left stale: the table pass never reads them.
 */
#include "kernels.h"

static u32 hist[4 * 256];
static u8 lut[4 * 256];

static void histograms(const u8 *s, int n, int ch) {
  __builtin_memset(hist, 0, sizeof hist);
  FOR_EACH_SAMPLE(n, ch, hist[c * 256 + s[i]]++);
}

static void identity(u8 *t) {
  for (int v = 0; v < 256; v++) t[v] = (u8)v;
}

static void apply(const u8 *s, u8 *d, int n, int ch) {
  FOR_EACH_SAMPLE(n, ch, d[i] = lut[c * 256 + s[i]]);
}

/* n samples, ch (<= 4) interleaved channels; d may be s. */
EXPORT("autocontrast") void autocontrast(const u8 *s, u8 *d, int n, int ch) {
  histograms(s, n, ch);
  for (int c = 0; c < ch; c++) {
    const u32 *h = hist + c * 256;
    u8 *t = lut + c * 256;
    int lo = 0;
    while (lo < 255 && h[lo] == 0) lo++;
    int hi = 255;
    while (hi > 0 && h[hi] == 0) hi--;
    if (hi <= lo) {
      identity(t);
      continue;
    }
    const double scale = 255.0 / (hi - lo);
    const double offset = -lo * scale;
    /* Only values in [lo, hi] occur, so only their entries are ever read. */
    for (int i = lo; i <= hi; i++) {
      const double v = __builtin_trunc(i * scale + offset);
      t[i] = v < 0 ? 0 : v > 255 ? 255 : (u8)exact_int(v);
    }
  }
  apply(s, d, n, ch);
}

EXPORT("equalize") void equalize(const u8 *s, u8 *d, int n, int ch) {
  histograms(s, n, ch);
  for (int c = 0; c < ch; c++) {
    const u32 *h = hist + c * 256;
    u8 *t = lut + c * 256;
    u32 nonzero = 0, sum = 0, last = 0;
    for (int i = 0; i < 256; i++) {
      if (h[i] == 0) continue;
      nonzero++;
      sum += h[i];
      last = h[i];
    }
    const u32 step = (sum - last) / 255;
    if (nonzero <= 1 || step == 0) {
      identity(t);
      continue;
    }
    u32 k = step / 2;
    /* Entries of absent values are never read: skip their divisions. */
    for (int i = 0; i < 256; i++) {
      if (h[i] != 0) {
        const u32 v = k / step;
        t[i] = v > 255 ? 255 : (u8)v;
      }
      k += h[i];
    }
  }
  apply(s, d, n, ch);
}
