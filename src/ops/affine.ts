import type { Image } from './image.ts';

// A module-level alias: inside vm contexts (jest) each `Math.x` in a hot loop is a slow
// global lookup through the context's interceptor (sharpness ran ~100x slower under jest).
const floor = Math.floor;

const MATRIX = new Float64Array(6);
let COL_X = new Float64Array(64);
let COL_Y = new Float64Array(64);

/**
 * The six AFFINE coefficients in a module scratch array (overwritten by the next call), so
 * callers with fixed matrix shapes (shear, translate) allocate nothing per image.
 */
export function affineCoefficients(a: number, b: number, c: number, d: number, e: number, f: number): Float64Array {
  MATRIX[0] = a;
  MATRIX[1] = b;
  MATRIX[2] = c;
  MATRIX[3] = d;
  MATRIX[4] = e;
  MATRIX[5] = f;
  return MATRIX;
}

/**
 * Pillow 9.4's affine transform with bilinear resampling, the engine under rotate, shear and
 * translate (`Image.transform(size, AFFINE, m, BILINEAR)`; Geometry.c `affine_transform`,
 * `bilinear_filter8`/`bilinear_filter32RGB`). For output pixel (x, y), with every step in
 * double precision and in Pillow's order of operations:
 *
 * - `xi = m0*(x+.5) + m1*(y+.5) + m2`, `yi = m3*(x+.5) + m4*(y+.5) + m5` (the inverse map);
 * - outside [0, W) x [0, H): black in all channels;
 * - else `xi -= .5`, `yi -= .5`, `x0 = floor(xi)`, `y0 = floor(yi)`; columns x0 and x0+1 are
 *   clamped to the image; row y0 is clamped; if row y0+1 is outside, it is replaced by row y0;
 * - interpolate along x (`a + (b - a) * dx`) in both rows, then along y, and truncate to uint8
 *   (the C cast; a Uint8Array store truncates the same way for values in [0, 256)).
 *
 * `dst` must have src's shape and must not be `src`. Any channel count (Pillow: L or RGB).
 * @param m the six coefficients (a, b, c, d, e, f) of Pillow's AFFINE data.
 */
export function affineInto(src: Image, dst: Image, m: ArrayLike<number>): void {
  const m0 = m[0]!, m1 = m[1]!, m2 = m[2]!, m3 = m[3]!, m4 = m[4]!, m5 = m[5]!;
  if (m0 === 1 && m1 === 0 && m3 === 0 && m4 === 1 && Number.isInteger(m2) && Number.isInteger(m5)) {
    return shiftInto(src, dst, m2, m5);
  }
  if (src.channels === 3 && m0 === 1 && m3 === 0 && m4 === 1 && m5 === 0) return shearRows3(src, dst, m1, m2);
  if (src.channels === 3 && m0 === 1 && m1 === 0 && m2 === 0 && m4 === 1) return shearColumns3(src, dst, m3, m5);
  if (src.channels === 3) return affine3Into(src, dst, m0, m1, m2, m3, m4, m5);
  const w = src.width;
  const h = src.height;
  const ch = src.channels;
  const s = src.data;
  const d = dst.data;
  const row = w * ch;
  let o = 0;
  for (let y = 0; y < h; y++) {
    const yc = y + 0.5;
    for (let x = 0; x < w; x++, o += ch) {
      const xc = x + 0.5;
      let xi = m0 * xc + m1 * yc + m2;
      let yi = m3 * xc + m4 * yc + m5;
      if (xi < 0 || xi >= w || yi < 0 || yi >= h) {
        for (let c = 0; c < ch; c++) d[o + c] = 0;
        continue;
      }
      xi -= 0.5;
      yi -= 0.5;
      const x0 = floor(xi);
      const y0 = floor(yi);
      const dx = xi - x0;
      const dy = yi - y0;
      const ca = (x0 < 0 ? 0 : x0) * ch;
      const cb = (x0 + 1 < w ? x0 + 1 : w - 1) * ch;
      const ra = (y0 < 0 ? 0 : y0) * row;
      const hasNext = y0 + 1 >= 0 && y0 + 1 < h;
      const rb = (y0 + 1) * row;
      for (let c = 0; c < ch; c++) {
        const p = s[ra + ca + c]!;
        const v1 = p + (s[ra + cb + c]! - p) * dx;
        let v2 = v1;
        if (hasNext) {
          const q = s[rb + ca + c]!;
          v2 = q + (s[rb + cb + c]! - q) * dx;
        }
        d[o + c] = v1 + (v2 - v1) * dy;
      }
    }
  }
}

/**
 * An integer translation through the bilinear path is an exact copy: xi − .5 = x + tx, so
 * dx = dy = 0 and `a + (b − a)·0` is `a`. Copying rows gives the same bytes ~10x faster.
 */
function shiftInto(src: Image, dst: Image, tx: number, ty: number): void {
  const { width: w, height: h, channels: ch } = src;
  const row = w * ch;
  const x0 = Math.max(0, -tx);
  const x1 = Math.min(w, w - tx);
  for (let y = 0; y < h; y++) {
    const o = y * row;
    const sy = y + ty;
    if (sy < 0 || sy >= h || x1 <= x0) {
      dst.data.fill(0, o, o + row);
      continue;
    }
    dst.data.fill(0, o, o + x0 * ch);
    dst.data.set(src.data.subarray(sy * row + (x0 + tx) * ch, sy * row + (x1 + tx) * ch), o + x0 * ch);
    dst.data.fill(0, o + x1 * ch, o + row);
  }
}

/**
 * The general path unrolled for RGB. Where dx (or dy) is exactly 0 the interpolation along x
 * (or y) returns its first operand bit for bit, so it is skipped: shear_x always has dy = 0 and
 * shear_y dx = 0. Same arithmetic as the generic loop otherwise.
 */
function affine3Into(src: Image, dst: Image, m0: number, m1: number, m2: number, m3: number, m4: number, m5: number): void {
  const w = src.width;
  const h = src.height;
  const s = src.data;
  const d = dst.data;
  const row = w * 3;
  // m0·(x+.5) and m3·(x+.5) per column, m1·(y+.5) and m4·(y+.5) per row: the same products
  // summed in the same order as Pillow's `a0*xin + a1*yin + a2`, so the same doubles.
  if (COL_X.length < w) {
    COL_X = new Float64Array(w);
    COL_Y = new Float64Array(w);
  }
  for (let x = 0; x < w; x++) {
    COL_X[x] = m0 * (x + 0.5);
    COL_Y[x] = m3 * (x + 0.5);
  }
  const colX = COL_X;
  const colY = COL_Y;
  let o = 0;
  for (let y = 0; y < h; y++) {
    const rowX = m1 * (y + 0.5);
    const rowY = m4 * (y + 0.5);
    for (let x = 0; x < w; x++, o += 3) {
      let xi = colX[x]! + rowX + m2;
      let yi = colY[x]! + rowY + m5;
      if (xi < 0 || xi >= w || yi < 0 || yi >= h) {
        d[o] = 0;
        d[o + 1] = 0;
        d[o + 2] = 0;
        continue;
      }
      xi -= 0.5;
      yi -= 0.5;
      const x0 = floor(xi);
      const y0 = floor(yi);
      const dx = xi - x0;
      const dy = yi - y0;
      const ca = (x0 < 0 ? 0 : x0) * 3;
      const cb = (x0 + 1 < w ? x0 + 1 : w - 1) * 3;
      const a = (y0 < 0 ? 0 : y0) * row;
      let r = s[a + ca]!;
      let g = s[a + ca + 1]!;
      let b = s[a + ca + 2]!;
      if (dx !== 0) {
        r += (s[a + cb]! - r) * dx;
        g += (s[a + cb + 1]! - g) * dx;
        b += (s[a + cb + 2]! - b) * dx;
      }
      if (dy !== 0 && y0 + 1 < h) {
        const n = (y0 + 1) * row;
        let r2 = s[n + ca]!;
        let g2 = s[n + ca + 1]!;
        let b2 = s[n + ca + 2]!;
        if (dx !== 0) {
          r2 += (s[n + cb]! - r2) * dx;
          g2 += (s[n + cb + 1]! - g2) * dx;
          b2 += (s[n + cb + 2]! - b2) * dx;
        }
        r += (r2 - r) * dy;
        g += (g2 - g) * dy;
        b += (b2 - b) * dy;
      }
      // `| 0` truncates like the C cast (values lie in [0, 255]) and hands V8 an int to store.
      d[o] = r | 0;
      d[o + 1] = g | 0;
      d[o + 2] = b | 0;
    }
  }
}

/**
 * (1, b, c, 0, 1, 0), shear_x's form: yi = 0·xc + 1·yc + 0 is exactly y + .5, so every output row
 * samples one input row with dy = 0 and only the interpolation along x remains. xi is summed as
 * Pillow sums it: (1·xc + b·yc) + c.
 */
function shearRows3(src: Image, dst: Image, b: number, c: number): void {
  const { width: w, height: h, data: s } = src;
  const d = dst.data;
  const row = w * 3;
  for (let y = 0, o = 0; y < h; y++) {
    const shift = b * (y + 0.5);
    const a = y * row;
    for (let x = 0; x < w; x++, o += 3) {
      let xi = x + 0.5 + shift + c;
      if (xi < 0 || xi >= w) {
        d[o] = d[o + 1] = d[o + 2] = 0;
        continue;
      }
      xi -= 0.5;
      const x0 = floor(xi);
      const dx = xi - x0;
      const p = a + (x0 < 0 ? 0 : x0) * 3;
      const q = a + (x0 + 1 < w ? x0 + 1 : w - 1) * 3;
      d[o] = (s[p]! + (s[q]! - s[p]!) * dx) | 0;
      d[o + 1] = (s[p + 1]! + (s[q + 1]! - s[p + 1]!) * dx) | 0;
      d[o + 2] = (s[p + 2]! + (s[q + 2]! - s[p + 2]!) * dx) | 0;
    }
  }
}

/**
 * (1, 0, 0, d, 1, f), shear_y's form: xi = 1·xc + 0·yc + 0 is exactly x + .5, so dx = 0 and
 * only the interpolation along y remains (row y0+1 falls back to row y0 at the bottom edge).
 */
function shearColumns3(src: Image, dst: Image, m3: number, m5: number): void {
  const { width: w, height: h, data: s } = src;
  const d = dst.data;
  const row = w * 3;
  for (let y = 0, o = 0; y < h; y++) {
    const yc = y + 0.5;
    for (let x = 0; x < w; x++, o += 3) {
      let yi = m3 * (x + 0.5) + yc + m5;
      if (yi < 0 || yi >= h) {
        d[o] = d[o + 1] = d[o + 2] = 0;
        continue;
      }
      yi -= 0.5;
      const y0 = floor(yi);
      const dy = yi - y0;
      const p = (y0 < 0 ? 0 : y0) * row + x * 3;
      const q = y0 + 1 < h ? p + (y0 < 0 ? 0 : row) : p;
      d[o] = (s[p]! + (s[q]! - s[p]!) * dy) | 0;
      d[o + 1] = (s[p + 1]! + (s[q + 1]! - s[p + 1]!) * dy) | 0;
      d[o + 2] = (s[p + 2]! + (s[q + 2]! - s[p + 2]!) * dy) | 0;
    }
  }
}
