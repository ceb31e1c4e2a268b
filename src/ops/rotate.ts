import { affineInto } from './affine.ts';
import { allocating, type Image } from './image.ts';
import { sinCosInto } from './sincos.ts';

const MATRIX = new Float64Array(6);
const SIN_COS = new Float64Array(2);

/** Python's float `a % b` (result takes the divisor's sign; CPython float_rem). */
function pyMod(a: number, b: number): number {
  const m = a % b; // JS % is C fmod, exact
  if (m === 0) return b < 0 ? -0 : 0;
  return b < 0 !== m < 0 ? m + b : m;
}

/**
 * Python's `round(x, 15)`: the nearest multiple of 1e-15, ties to even, read back as a double.
 * `toFixed` rounds the exact binary value correctly but sends ties away from zero; a double is a
 * tie exactly when it is an odd multiple of 2^-16, so those few are settled with BigInt.
 */
export function round15(x: number): number {
  const y = x * 65536;
  if (!Number.isInteger(y) || y % 2 === 0) return Number(x.toFixed(15));
  const n16 = BigInt(Math.abs(y)) * 5n ** 16n; // |x| * 1e16, ends in 5
  let n15 = n16 / 10n;
  if (n15 % 2n === 1n) n15 += 1n;
  return Math.sign(x) * (Number(n15) / 1e15);
}

/** Pillow's matrix for an angle already reduced by `angle % 360.0`. */
function matrixFor(angle: number, width: number, height: number, out: Float64Array): Float64Array {
  // math.radians multiplies by the constant pi/180 (CPython mathmodule.c degToRad).
  sinCosInto(-(angle * (Math.PI / 180)), SIN_COS);
  const s = SIN_COS[0]!;
  const c = SIN_COS[1]!;
  const cx = width / 2;
  const cy = height / 2;
  out[0] = round15(c);
  out[1] = round15(s);
  out[3] = round15(-s);
  out[4] = round15(c);
  // Image.py: matrix[2], matrix[5] = transform(-cx, -cy, matrix); then += cx, cy.
  out[2] = out[0] * -cx + out[1] * -cy + 0.0 + cx;
  out[5] = out[3] * -cx + out[4] * -cy + 0.0 + cy;
  return out;
}

/**
 * The inverse affine matrix Pillow 9.4's `img.rotate(degrees, BILINEAR)` samples with (used
 * when no fast path applies). Returns `out` (default: module scratch, overwritten per call).
 */
export function rotationMatrix(degrees: number, width: number, height: number, out = MATRIX): Float64Array {
  return matrixFor(pyMod(degrees, 360), width, height, out);
}

/**
 * `img.rotate(degrees, resample=BILINEAR)` (Pillow 9.4; expand=False, centre (W/2, H/2), black
 * fill) into `dst`. Positive degrees turn counter-clockwise. After `angle % 360.0`: 0 copies,
 * 180 and (square images only) 90/270 are exact transposes, anything else goes through
 * {@link affineInto} with {@link rotationMatrix}.
 * `dst` must have src's shape and must not be `src`. 1 (L) or 3 (RGB) channels.
 * @param degrees any finite number.
 */
export function rotateInto(src: Image, dst: Image, degrees: number): void {
  const angle = pyMod(degrees, 360);
  const { width: w, height: h } = src;
  if (angle === 0) dst.data.set(src.data);
  else if (angle === 180) transpose(src, dst, -1, 0, 0, -1);
  else if (angle === 90 && w === h) transpose(src, dst, 0, -1, 1, 0);
  else if (angle === 270 && w === h) transpose(src, dst, 0, 1, -1, 0);
  else affineInto(src, dst, cachedMatrix(angle, w, h));
}

/**
 * Matrices memoised per (angle, W, H): the double-double sin/cos costs more than warping a 32x32
 * image, and AugMix draws only integer angles. Bounded; evicts in insertion order.
 */
const matrices = new Map<string, Float64Array>();

function cachedMatrix(angle: number, w: number, h: number): Float64Array {
  const key = `${angle},${w},${h}`;
  let m = matrices.get(key);
  if (!m) {
    m = matrixFor(angle, w, h, new Float64Array(6));
    if (matrices.size >= 1024) matrices.delete(matrices.keys().next().value!);
    matrices.set(key, m);
  }
  return m;
}

/** out(x, y) = in(xs, ys) with xs = ax*x + bx*y (+ W-1 if negative), likewise ys. */
function transpose(src: Image, dst: Image, ax: number, bx: number, ay: number, by: number): void {
  const { width: w, height: h, channels: ch } = src;
  const x0 = ax < 0 || bx < 0 ? w - 1 : 0;
  const y0 = ay < 0 || by < 0 ? h - 1 : 0;
  const s = src.data;
  const d = dst.data;
  let o = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++, o += ch) {
      const i = ((y0 + ay * x + by * y) * w + (x0 + ax * x + bx * y)) * ch;
      for (let c = 0; c < ch; c++) d[o + c] = s[i + c]!;
    }
  }
}

/** `img.rotate(degrees, resample=BILINEAR)` as a new image; see {@link rotateInto}. */
export const rotate = allocating(rotateInto);
