/*
 * Pillow 9.4's affine transform with bilinear resampling (semantics documented in affine.ts).
 * Every double is computed by the same operations in the same order as Pillow's per-pixel
 * formula; the build passes -ffp-contract=off so no multiply-add is fused.
 */
#include "kernels.h"

static inline __attribute__((always_inline)) void affine_body(
    const u8 *s, u8 *d, int w, int h, int ch,
    double m0, double m1, double m2, double m3, double m4, double m5) {
  const int row = w * ch;
  for (int y = 0; y < h; y++) {
    const double yc = y + 0.5;
    /* m1·yc and m4·yc are the same products Pillow forms per pixel; only the sums remain. */
    const double rx = m1 * yc;
    const double ry = m4 * yc;
    for (int x = 0; x < w; x++, d += ch) {
      const double xc = x + 0.5;
      double xi = m0 * xc + rx + m2;
      double yi = m3 * xc + ry + m5;
      if (!(xi >= 0 && xi < w && yi >= 0 && yi < h)) {
        for (int c = 0; c < ch; c++) d[c] = 0;
        continue;
      }
      xi -= 0.5;
      yi -= 0.5;
      const double fx = __builtin_floor(xi);
      const double fy = __builtin_floor(yi);
      const double dx = xi - fx;
      const double dy = yi - fy;
      const int x0 = (int)fx;
      const int y0 = (int)fy;
      const int ca = (x0 < 0 ? 0 : x0) * ch;
      const int cb = (x0 + 1 < w ? x0 + 1 : w - 1) * ch;
      const u8 *a = s + (y0 < 0 ? 0 : y0) * row;
      /* Row y0+1 outside the image is replaced by row y0, and a lerp by 0 returns its first
       * operand exactly: both cases reduce to skipping the second row (or column). */
      const int next = dy != 0 && y0 + 1 < h;
      const u8 *b = s + (y0 + 1) * row;
      for (int c = 0; c < ch; c++) {
        double v = a[ca + c];
        if (dx != 0) v = v + ((double)a[cb + c] - v) * dx;
        if (next) {
          double v2 = b[ca + c];
          if (dx != 0) v2 = v2 + ((double)b[cb + c] - v2) * dx;
          v = v + (v2 - v) * dy;
        }
        d[c] = (u8)(int)v; /* truncation, as Pillow's cast; v lies in [0, 255] */
      }
    }
  }
}

/* dst = AFFINE(src, m) for w x h images of ch channels; RGB gets a copy with ch fixed. */
EXPORT("affine") void affine(const u8 *s, u8 *d, int w, int h, int ch,
                             double m0, double m1, double m2, double m3, double m4, double m5) {
  if (ch == 3) affine_body(s, d, w, h, 3, m0, m1, m2, m3, m4, m5);
  else affine_body(s, d, w, h, ch, m0, m1, m2, m3, m4, m5);
}

/*
 * (1, b, c, 0, 1, 0), shear_x's form: yi = 0·xc + 1·yc + 0 is exactly y + .5, so every output
 * row samples one input row with dy = 0 and only the lerp along x remains. xi is summed as
 * Pillow sums it: (1·xc + b·yc) + c.
 */
static inline __attribute__((always_inline)) void rows_body(const u8 *s, u8 *d, int w, int h, int ch, double b, double c) {
  const int row = w * ch;
  for (int y = 0; y < h; y++) {
    const double shift = b * (y + 0.5);
    const u8 *r = s + y * row;
    for (int x = 0; x < w; x++, d += ch) {
      double xi = x + 0.5 + shift + c;
      if (!(xi >= 0 && xi < w)) {
        for (int k = 0; k < ch; k++) d[k] = 0;
        continue;
      }
      xi -= 0.5;
      const double fx = __builtin_floor(xi);
      const double dx = xi - fx;
      const int x0 = (int)fx;
      const u8 *p = r + (x0 < 0 ? 0 : x0) * ch;
      const u8 *q = r + (x0 + 1 < w ? x0 + 1 : w - 1) * ch;
      /* With dx = 0 this is p exactly, so no test is needed. */
      for (int k = 0; k < ch; k++) d[k] = (u8)(int)(p[k] + ((double)q[k] - p[k]) * dx);
    }
  }
}

EXPORT("shear_rows") void shear_rows(const u8 *s, u8 *d, int w, int h, int ch, double b, double c) {
  if (ch == 3) rows_body(s, d, w, h, 3, b, c);
  else rows_body(s, d, w, h, ch, b, c);
}

/*
 * (1, 0, 0, e, 1, f), shear_y's form: xi = 1·xc + 0·yc + 0 is exactly x + .5, so dx = 0 and only
 * the lerp along y remains (row y0+1 falls back to row y0 at the bottom edge).
 */
static inline __attribute__((always_inline)) void columns_body(const u8 *s, u8 *d, int w, int h, int ch, double e, double f) {
  const int row = w * ch;
  for (int y = 0; y < h; y++) {
    const double yc = y + 0.5;
    for (int x = 0; x < w; x++, d += ch) {
      double yi = e * (x + 0.5) + yc + f;
      if (!(yi >= 0 && yi < h)) {
        for (int k = 0; k < ch; k++) d[k] = 0;
        continue;
      }
      yi -= 0.5;
      const double fy = __builtin_floor(yi);
      const double dy = yi - fy;
      const int y0 = (int)fy;
      const u8 *p = s + (y0 < 0 ? 0 : y0) * row + x * ch;
      const u8 *q = y0 + 1 < h ? s + (y0 + 1) * row + x * ch : p;
      for (int k = 0; k < ch; k++) d[k] = (u8)(int)(p[k] + ((double)q[k] - p[k]) * dy);
    }
  }
}

EXPORT("shear_columns") void shear_columns(const u8 *s, u8 *d, int w, int h, int ch, double e, double f) {
  if (ch == 3) columns_body(s, d, w, h, 3, e, f);
  else columns_body(s, d, w, h, ch, e, f);
}

/*
 * An integer translation (tx, ty): output (x, y) is input (x + tx, y + ty), black outside. The
 * bilinear path gives exactly this (both fractions are 0), so rows are copied. The caller
 * clamps |tx| <= w and |ty| <= h.
 */
EXPORT("shift") void shift(const u8 *s, u8 *d, int w, int h, int ch, int tx, int ty) {
  const int row = w * ch;
  const int x0 = tx < 0 ? -tx : 0;
  const int x1 = tx > 0 ? w - tx : w;
  for (int y = 0; y < h; y++, d += row) {
    const int sy = y + ty;
    if (sy < 0 || sy >= h || x1 <= x0) {
      __builtin_memset(d, 0, row);
      continue;
    }
    __builtin_memset(d, 0, x0 * ch);
    __builtin_memcpy(d + x0 * ch, s + sy * row + (x0 + tx) * ch, (x1 - x0) * ch);
    __builtin_memset(d + x1 * ch, 0, (w - x1) * ch);
  }
}
