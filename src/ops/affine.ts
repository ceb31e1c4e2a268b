import type { Image } from './image.ts';
import { stage, unstage } from './kernels.ts';

const isInteger = Number.isInteger;

const MATRIX = new Float64Array(6);

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
 *   (the C cast).
 *
 * Runs in WebAssembly (wasm/affine.c), with exact shortcuts: an integer translation is a row
 * copy (xi − .5 = x + tx, so dx = dy = 0 and `a + (b − a)·0` is `a`); shear_x's form
 * (1, b, c, 0, 1, 0) has yi = y + .5 exactly, so dy = 0 and only the lerp along x remains;
 * shear_y's form (1, 0, 0, e, 1, f) likewise has dx = 0.
 * `dst` must have src's shape and must not be `src`. Any channel count (Pillow: L or RGB).
 * @param m the six coefficients (a, b, c, d, e, f) of Pillow's AFFINE data.
 */
export function affineInto(src: Image, dst: Image, m: ArrayLike<number>): void {
  const m0 = m[0]!,
    m1 = m[1]!,
    m2 = m[2]!,
    m3 = m[3]!,
    m4 = m[4]!,
    m5 = m[5]!;
  const { width: w, height: h, channels: ch } = src;
  const at = stage(src.data, dst.data);
  if (m0 === 1 && m1 === 0 && m3 === 0 && m4 === 1 && isInteger(m2) && isInteger(m5)) {
    // Shifts beyond the image are all black; clamping keeps the offsets small ints.
    at.k.shift(at.src, at.dst, w, h, ch, m2 < -w ? -w : m2 > w ? w : m2, m5 < -h ? -h : m5 > h ? h : m5);
  } else if (m0 === 1 && m3 === 0 && m4 === 1 && m5 === 0) {
    at.k.shear_rows(at.src, at.dst, w, h, ch, m1, m2);
  } else if (m0 === 1 && m1 === 0 && m2 === 0 && m4 === 1) {
    at.k.shear_columns(at.src, at.dst, w, h, ch, m3, m5);
  } else {
    at.k.affine(at.src, at.dst, w, h, ch, m0, m1, m2, m3, m4, m5);
  }
  unstage();
}
