/*
 * Pillow 9.4's affine transform with bilinear resampling (semantics documented in affine.ts).
 * Every double is computed by the same operations in the same order as Pillow's per-pixel
 * formula; the build passes -ffp-contract=off so no multiply-add is fused.
 *
 * Hot loops convert between int and double only through exact bit tricks: samples come from the
 * table below, pixel centres x + .5 are counted in doubles (exact: small integers plus a half),
 * and integer parts go through exact_int after a floor (a truncation, as values are >= 0).
 * V8 converts int to double with `vcvtsi2sd dst, xmm15, src`, which copies the upper lane of its
 * scratch register xmm15 (also when checking a double-to-int conversion); after some SIMD ops,
 * here or in any other code, that lane holds NaN or denormal bits, and on some CPUs the scalar
 * double code then runs about twice as slow.
 */
#include <wasm_simd128.h>
#include "kernels.h"

#define R4(n) n, n + 1, n + 2, n + 3
#define R16(n) R4(n), R4(n + 4), R4(n + 8), R4(n + 12)
#define R64(n) R16(n), R16(n + 16), R16(n + 32), R16(n + 48)
/* Byte values as doubles. */
static const double as_double[256] = {R64(0), R64(64), R64(128), R64(192)};

/* One output pixel at column centre xc of a row whose m1·yc, m4·yc are rx, ry. */
static inline __attribute__((always_inline)) void affine_pixel(
    const u8 *s, u8 *d, int w, int h, int ch, double wf, double hf, double xc, double rx, double ry,
    double m0, double m2, double m3, double m5) {
  const int row = w * ch;
  double xi = m0 * xc + rx + m2;
  double yi = m3 * xc + ry + m5;
  if (!(xi >= 0 && xi < wf && yi >= 0 && yi < hf)) {
    for (int c = 0; c < ch; c++) d[c] = 0;
    return;
  }
  xi -= 0.5;
  yi -= 0.5;
  const double fx = __builtin_floor(xi);
  const double fy = __builtin_floor(yi);
  const double dx = xi - fx;
  const double dy = yi - fy;
  const int x0 = exact_int(fx);
  const int y0 = exact_int(fy);
  const int ca = (x0 < 0 ? 0 : x0) * ch;
  const int cb = (x0 + 1 < w ? x0 + 1 : w - 1) * ch;
  const u8 *a = s + (y0 < 0 ? 0 : y0) * row;
  /* Row y0+1 outside the image is replaced by row y0, and a lerp by 0 returns its first
   * operand exactly: both cases reduce to skipping the second row (or column). */
  const int next = dy != 0 && y0 + 1 < h;
  const u8 *b = s + (y0 + 1) * row;
  for (int c = 0; c < ch; c++) {
    double v = as_double[a[ca + c]];
    if (dx != 0) v = v + (as_double[a[cb + c]] - v) * dx;
    if (next) {
      double v2 = as_double[b[ca + c]];
      if (dx != 0) v2 = v2 + (as_double[b[cb + c]] - v2) * dx;
      v = v + (v2 - v) * dy;
    }
    d[c] = (u8)exact_int(__builtin_floor(v)); /* truncation, as Pillow's cast; v lies in [0, 255] */
  }
}

static void affine_any(const u8 *s, u8 *d, int w, int h, int ch,
                       double m0, double m1, double m2, double m3, double m4, double m5) {
  const double wf = w, hf = h;
  double yc = 0.5;
  for (int y = 0; y < h; y++, yc += 1) {
    /* m1·yc and m4·yc are the same products Pillow forms per pixel; only the sums remain. */
    const double rx = m1 * yc;
    const double ry = m4 * yc;
    double xc = 0.5;
    for (int x = 0; x < w; x++, xc += 1, d += ch) affine_pixel(s, d, w, h, ch, wf, hf, xc, rx, ry, m0, m2, m3, m5);
  }
}

/* f64x2 of the bytes at a and b. */
static inline v128_t pair(const u8 *a, const u8 *b) {
  return wasm_v128_load64_lane(&as_double[*b], wasm_v128_load64_zero(&as_double[*a]), 1);
}

/* Offsets of a pixel's four source samples (rows y0, y0+1; columns x0, x0+1), clamped as Pillow
 * clamps them; also clamped for pixels outside the map (their result is discarded) so that every
 * read stays in the image. */
static inline void corners(int x0, int y0, int w, int h, int *o) {
  /* Interior pixels (both columns and rows in the image), most of them: no clamping. */
  if ((unsigned)x0 < (unsigned)(w - 1) && (unsigned)y0 < (unsigned)(h - 1)) {
    o[0] = (y0 * w + x0) * 3;
    o[1] = o[0] + 3;
    o[2] = o[0] + w * 3;
    o[3] = o[2] + 3;
    return;
  }
  x0 = x0 < -1 ? -1 : x0 > w - 1 ? w - 1 : x0;
  y0 = y0 < -1 ? -1 : y0 > h - 1 ? h - 1 : y0;
  const int ca = (x0 < 0 ? 0 : x0) * 3;
  const int cb = (x0 + 1 < w ? x0 + 1 : w - 1) * 3;
  const int ra = (y0 < 0 ? 0 : y0) * w * 3;
  const int rb = y0 + 1 < h ? (y0 + 1) * w * 3 : ra;
  o[0] = ra + ca;
  o[1] = ra + cb;
  o[2] = rb + ca;
  o[3] = rb + cb;
}

/*
 * RGB, two pixels per step, one in each f64x2 lane: the same IEEE double operations as
 * affine_pixel lane by lane. The lerps run unconditionally (a lerp by 0 returns its first
 * operand exactly, and a missing row y0+1 is row y0, whose lerp is then by v2 − v1 = 0). Integer
 * parts are read out of the lanes as exact_int does (the vector conversions and shuffles are
 * among the ops that leave xmm15 dirty).
 */
static void affine_rgb(const u8 *s, u8 *d, int w, int h,
                       double m0, double m1, double m2, double m3, double m4, double m5) {
  const double wf = w, hf = h;
  const v128_t a0 = wasm_f64x2_splat(m0), a2 = wasm_f64x2_splat(m2);
  const v128_t a3 = wasm_f64x2_splat(m3), a5 = wasm_f64x2_splat(m5);
  const v128_t zero = wasm_f64x2_splat(0), half = wasm_f64x2_splat(0.5), two = wasm_f64x2_splat(2);
  const v128_t magic = wasm_f64x2_splat(0x1.8p52); /* exact_int, lane-wise */
  const v128_t wv = wasm_f64x2_splat(wf), hv = wasm_f64x2_splat(hf);
  double yc = 0.5;
  for (int y = 0; y < h; y++, yc += 1) {
    const double rx = m1 * yc;
    const double ry = m4 * yc;
    const v128_t rxv = wasm_f64x2_splat(rx), ryv = wasm_f64x2_splat(ry);
    v128_t xc = wasm_f64x2_make(0.5, 1.5);
    int x = 0;
    for (; x + 2 <= w; x += 2, xc = wasm_f64x2_add(xc, two), d += 6) {
      v128_t xi = wasm_f64x2_add(wasm_f64x2_add(wasm_f64x2_mul(a0, xc), rxv), a2);
      v128_t yi = wasm_f64x2_add(wasm_f64x2_add(wasm_f64x2_mul(a3, xc), ryv), a5);
      const v128_t in = wasm_v128_and(wasm_v128_and(wasm_f64x2_ge(xi, zero), wasm_f64x2_lt(xi, wv)),
                                      wasm_v128_and(wasm_f64x2_ge(yi, zero), wasm_f64x2_lt(yi, hv)));
      xi = wasm_f64x2_sub(xi, half);
      yi = wasm_f64x2_sub(yi, half);
      const v128_t fx = wasm_f64x2_floor(xi);
      const v128_t fy = wasm_f64x2_floor(yi);
      const v128_t dx = wasm_f64x2_sub(xi, fx);
      const v128_t dy = wasm_f64x2_sub(yi, fy);
      /* Garbage for pixels outside the map, which corners() clamps. */
      const v128_t ix = wasm_f64x2_add(fx, magic), iy = wasm_f64x2_add(fy, magic);
      int p[4], q[4];
      corners((int)wasm_i64x2_extract_lane(ix, 0), (int)wasm_i64x2_extract_lane(iy, 0), w, h, p);
      corners((int)wasm_i64x2_extract_lane(ix, 1), (int)wasm_i64x2_extract_lane(iy, 1), w, h, q);
      const int ina = wasm_i64x2_extract_lane(in, 0) != 0;
      const int inb = wasm_i64x2_extract_lane(in, 1) != 0;
      for (int c = 0; c < 3; c++) {
        const v128_t p00 = pair(s + p[0] + c, s + q[0] + c);
        const v128_t p01 = pair(s + p[1] + c, s + q[1] + c);
        const v128_t p10 = pair(s + p[2] + c, s + q[2] + c);
        const v128_t p11 = pair(s + p[3] + c, s + q[3] + c);
        const v128_t v1 = wasm_f64x2_add(p00, wasm_f64x2_mul(wasm_f64x2_sub(p01, p00), dx));
        const v128_t v2 = wasm_f64x2_add(p10, wasm_f64x2_mul(wasm_f64x2_sub(p11, p10), dx));
        const v128_t v = wasm_f64x2_add(v1, wasm_f64x2_mul(wasm_f64x2_sub(v2, v1), dy));
        const v128_t iv = wasm_f64x2_add(wasm_f64x2_floor(v), magic);
        d[c] = ina ? (u8)wasm_i64x2_extract_lane(iv, 0) : 0;
        d[3 + c] = inb ? (u8)wasm_i64x2_extract_lane(iv, 1) : 0;
      }
    }
    if (x < w) {
      affine_pixel(s, d, w, h, 3, wf, hf, wasm_f64x2_extract_lane(xc, 0), rx, ry, m0, m2, m3, m5);
      d += 3;
    }
  }
}

/* dst = AFFINE(src, m) for w x h images of ch channels. */
EXPORT("affine") void affine(const u8 *s, u8 *d, int w, int h, int ch,
                             double m0, double m1, double m2, double m3, double m4, double m5) {
  if (ch == 3) affine_rgb(s, d, w, h, m0, m1, m2, m3, m4, m5);
  else affine_any(s, d, w, h, ch, m0, m1, m2, m3, m4, m5);
}

/*
 * The shears, whose lerp runs along one axis only. (1, b, c, 0, 1, 0), shear_x's form: yi =
 * 0·xc + 1·yc + 0 is exactly y + .5, so every output row samples one input row with dy = 0 and
 * only the lerp along x remains, xi summed as Pillow sums it: (1·xc + b·yc) + c. (1, 0, 0, e, 1,
 * f), shear_y's form: likewise only the lerp along y, with yi = (e·xc + 1·yc) + f. Along that
 * axis t0 + 1 falls back to the last sample at the far edge (with dt = 0 the lerp gives p exactly,
 * so no test is needed).
 */
static inline __attribute__((always_inline)) void shear_body(const u8 *s, u8 *d, int w, int h, int ch, double coef, double offset,
                                                             int along_rows) {
  const int row = w * ch;
  const int n = along_rows ? w : h;
  const int step = along_rows ? ch : row;
  const double nf = n;
  double yc = 0.5;
  for (int y = 0; y < h; y++, yc += 1) {
    double xc = 0.5;
    for (int x = 0; x < w; x++, xc += 1, d += ch) {
      double ti = along_rows ? xc + coef * yc + offset : coef * xc + yc + offset;
      if (!(ti >= 0 && ti < nf)) {
        for (int k = 0; k < ch; k++) d[k] = 0;
        continue;
      }
      ti -= 0.5;
      const double ft = __builtin_floor(ti);
      const double dt = ti - ft;
      const int t0 = exact_int(ft);
      const u8 *line = along_rows ? s + y * row : s + x * ch;
      const u8 *p = line + (t0 < 0 ? 0 : t0) * step;
      const u8 *q = line + (t0 + 1 < n ? t0 + 1 : n - 1) * step;
      for (int k = 0; k < ch; k++) {
        const double v = as_double[p[k]];
        d[k] = (u8)exact_int(__builtin_floor(v + (as_double[q[k]] - v) * dt));
      }
    }
  }
}

EXPORT("shear_rows") void shear_rows(const u8 *s, u8 *d, int w, int h, int ch, double b, double c) {
  if (ch == 3) shear_body(s, d, w, h, 3, b, c, 1);
  else shear_body(s, d, w, h, ch, b, c, 1);
}

EXPORT("shear_columns") void shear_columns(const u8 *s, u8 *d, int w, int h, int ch, double e, double f) {
  if (ch == 3) shear_body(s, d, w, h, 3, e, f, 0);
  else shear_body(s, d, w, h, ch, e, f, 0);
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
