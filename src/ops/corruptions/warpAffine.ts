import { reflect101 } from '../border.ts';

// Module-level aliases: inside jest's vm context each `Math.x` in a hot loop is a slow global lookup.
const { fround } = Math;

/** OpenCV's fixed-point steps for warpAffine with bilinear interpolation (imgwarp.cpp). */
const INTER_BITS = 5;
const INTER_TAB_SIZE = 1 << INTER_BITS;
const AB_BITS = 10;
const AB_SCALE = 1 << AB_BITS;
const ROUND_DELTA = AB_SCALE / INTER_TAB_SIZE / 2;

/** `cvRound`: round half to even, as `saturate_cast<int>(double)` does. */
function cvRound(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * OpenCV's `getAffineTransform(src, dst)`: the 2x3 matrix [a b c; d e f] mapping three (x, y)
 * points onto three others, solved in double precision.
 */
export function affineFromPoints(src: ArrayLike<number>, dst: ArrayLike<number>): Float64Array {
  const [x0, y0, x1, y1, x2, y2] = [src[0]!, src[1]!, src[2]!, src[3]!, src[4]!, src[5]!];
  const det = x0 * (y1 - y2) - y0 * (x1 - x2) + (x1 * y2 - x2 * y1);
  const m = new Float64Array(6);
  for (let r = 0; r < 2; r++) {
    const u0 = dst[r]!,
      u1 = dst[2 + r]!,
      u2 = dst[4 + r]!;
    // Cramer's rule for [x y 1] [a b c]^T = u.
    m[3 * r] = (u0 * (y1 - y2) - y0 * (u1 - u2) + (u1 * y2 - u2 * y1)) / det;
    m[3 * r + 1] = (x0 * (u1 - u2) - u0 * (x1 - x2) + (x1 * u2 - x2 * u1)) / det;
    m[3 * r + 2] = (x0 * (y1 * u2 - y2 * u1) - y0 * (x1 * u2 - x2 * u1) + u0 * (x1 * y2 - x2 * y1)) / det;
  }
  return m;
}

/**
 * OpenCV 4.6's `warpAffine(src, M, (w, h), flags=INTER_LINEAR, borderMode=BORDER_REFLECT_101)` on a
 * float32 HWC image: M is inverted as OpenCV does, source positions are computed in fixed point and
 * quantised to 1/32 pixel, and the four taps are weighted with OpenCV's float32 bilinear table.
 */
export function warpAffineReflect101(src: Float32Array, w: number, h: number, ch: number, m: ArrayLike<number>, dst: Float32Array): void {
  let [a, b, c, d, e, f] = [m[0]!, m[1]!, m[2]!, m[3]!, m[4]!, m[5]!];
  let det = a * e - b * d;
  det = det !== 0 ? 1 / det : 0;
  const a11 = e * det;
  const a22 = a * det;
  a = a11;
  b *= -det;
  d *= -det;
  e = a22;
  const b1 = -a * c - b * f;
  const b2 = -d * c - e * f;
  c = b1;
  f = b2;
  for (let y = 0; y < h; y++) {
    const X0 = cvRound((b * y + c) * AB_SCALE) + ROUND_DELTA;
    const Y0 = cvRound((e * y + f) * AB_SCALE) + ROUND_DELTA;
    for (let x = 0; x < w; x++) {
      const X = (X0 + cvRound(a * x * AB_SCALE)) >> (AB_BITS - INTER_BITS);
      const Y = (Y0 + cvRound(d * x * AB_SCALE)) >> (AB_BITS - INTER_BITS);
      const sx = X >> INTER_BITS;
      const sy = Y >> INTER_BITS;
      const fx = fround((X & (INTER_TAB_SIZE - 1)) / INTER_TAB_SIZE);
      const fy = fround((Y & (INTER_TAB_SIZE - 1)) / INTER_TAB_SIZE);
      const w00 = fround(fround(1 - fy) * fround(1 - fx));
      const w01 = fround(fround(1 - fy) * fx);
      const w10 = fround(fy * fround(1 - fx));
      const w11 = fround(fy * fx);
      const x0 = reflect101(sx, w);
      const x1 = reflect101(sx + 1, w);
      const y0 = reflect101(sy, h);
      const y1 = reflect101(sy + 1, h);
      const o = (y * w + x) * ch;
      const p00 = (y0 * w + x0) * ch;
      const p01 = (y0 * w + x1) * ch;
      const p10 = (y1 * w + x0) * ch;
      const p11 = (y1 * w + x1) * ch;
      for (let k = 0; k < ch; k++) {
        dst[o + k] = fround(
          fround(fround(fround(src[p00 + k]! * w00) + fround(src[p01 + k]! * w01)) + fround(src[p10 + k]! * w10)) + fround(src[p11 + k]! * w11),
        );
      }
    }
  }
}
