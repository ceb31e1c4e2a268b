/**
 * The OpenCV 4.6 image operations that make_cifar_c.py's spatter (water branch) calls, restated on
 * single-channel row-major arrays of `w` x `h` values, with OpenCV's integer and float32 arithmetic
 * so that results match cv2 to the bit (test/ops/corruptions/opencv.test.ts checks them against
 * fixtures from Debian's python3-opencv). Each writes its result into the `out` the caller gives
 * (not its input, which it never modifies), so a pipeline of them can reuse its buffers.
 */
import { padImage, reflect101, replicate } from '../border.ts';

const { fround, round, trunc } = Math;

/**
 * Scratch arrays for the intermediates, by name (the functions are synchronous, so each is free
 * again when its function returns; results go into the caller's `out`).
 */
const scratch = {
  i32: new Map<string, Int32Array>(),
  f64: new Map<string, Float64Array>(),
  u8: new Map<string, Uint8Array>(),
  ints(name: string, n: number): Int32Array {
    let a = this.i32.get(name);
    if (!a || a.length < n) this.i32.set(name, (a = new Int32Array(n)));
    return a.subarray(0, n);
  },
  doubles(name: string, n: number): Float64Array {
    let a = this.f64.get(name);
    if (!a || a.length < n) this.f64.set(name, (a = new Float64Array(n)));
    return a.subarray(0, n);
  },
  bytes(name: string, n: number): Uint8Array {
    let a = this.u8.get(name);
    if (!a || a.length < n) this.u8.set(name, (a = new Uint8Array(n)));
    return a.subarray(0, n);
  },
};

/** A one-channel image with a border one deep (`border` picks the source index), in scratch. */
function padded1(src: Float32Array | Uint8Array, w: number, h: number, border: (i: number, n: number) => number): Float64Array {
  const p = scratch.doubles('padded', (w + 2) * (h + 2));
  padImage(src, w, h, 1, 1, border, p);
  return p;
}

// round(0.4142135623730950488 * 2^15), canny.cpp's tan(22.5°) in Q15.
const TG22 = 13573;

/**
 * `cv2.Canny(src, low, high)` with aperture 3 and the L1 gradient (the defaults): 3x3 Sobel
 * derivatives with a replicated border, |dx| + |dy|, non-maximum suppression in four directions
 * with canny.cpp's Q15 sector test and its asymmetric comparisons (> on one side, >= on the
 * other), then hysteresis: 8-connected runs of candidates (low < m <= high) reached from a strong
 * pixel (m > high). Returns 255 on edges, 0 elsewhere.
 */
export function canny(src: Uint8Array, w: number, h: number, lowThreshold: number, highThreshold: number, out: Uint8Array): void {
  let lowT = lowThreshold;
  let highT = highThreshold;
  if (lowT > highT) [lowT, highT] = [highT, lowT];
  const low = Math.floor(lowT);
  const high = Math.floor(highT);
  const n = w * h;
  const dx = scratch.ints('dx', n);
  const dy = scratch.ints('dy', n);
  // 3x3 Sobel on the image with its edge pixels repeated one deep.
  const p = padded1(src, w, h, replicate);
  const pw = w + 2;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const j = y * pw + x;
      dx[y * w + x] = p[j + 2]! - p[j]! + 2 * (p[j + pw + 2]! - p[j + pw]!) + p[j + 2 * pw + 2]! - p[j + 2 * pw]!;
      dy[y * w + x] = p[j + 2 * pw]! - p[j]! + 2 * (p[j + 2 * pw + 1]! - p[j + 1]!) + p[j + 2 * pw + 2]! - p[j + 2]!;
    }
  }
  // Magnitudes with a zero frame (canny.cpp pads its magnitude rows and columns with 0).
  const mw = w + 2;
  const mag = scratch.ints('magnitude', mw * (h + 2)).fill(0);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) mag[(y + 1) * mw + x + 1] = Math.abs(dx[y * w + x]!) + Math.abs(dy[y * w + x]!);
  // 0: may be an edge, 1: not an edge, 2: edge. The frame is 1.
  const map = scratch.bytes('edges', mw * (h + 2)).fill(1);
  const stack: number[] = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const j = (y + 1) * mw + x + 1;
      const m = mag[j]!;
      if (m <= low) continue;
      const xs = dx[y * w + x]!;
      const ys = dy[y * w + x]!;
      const ax = Math.abs(xs);
      const ay = Math.abs(ys) * 32768;
      const tg22x = ax * TG22;
      let keep: boolean;
      if (ay < tg22x) keep = m > mag[j - 1]! && m >= mag[j + 1]!;
      else if (ay > tg22x + ax * 65536) keep = m > mag[j - mw]! && m >= mag[j + mw]!;
      else {
        const s = (xs ^ ys) < 0 ? -1 : 1;
        keep = m > mag[j - mw - s]! && m > mag[j + mw + s]!;
      }
      if (!keep) continue;
      if (m > high) {
        map[j] = 2;
        stack.push(j);
      } else map[j] = 0;
    }
  }
  const around = [-mw - 1, -mw, -mw + 1, -1, 1, mw - 1, mw, mw + 1];
  while (stack.length > 0) {
    const j = stack.pop()!;
    for (const d of around) {
      if (map[j + d] === 0) {
        map[j + d] = 2;
        stack.push(j + d);
      }
    }
  }
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[y * w + x] = map[(y + 1) * mw + x + 1] === 2 ? 255 : 0;
}

// distransform.cpp: DIST_SHIFT 16, INIT_DIST0 = INT_MAX, DIST_MAX = INT_MAX >> 2.
const INIT_DIST0 = 2147483647;
const DIST_MAX = 2147483647 >> 2;
const fix = (m: number): number => round(fround(m) * 65536);
// The DIST_L2 5x5 chamfer metrics (1, 1.4, 2.1969) in Q16.
const HV = fix(1);
const DIAG = fix(1.4);
const LONG = fix(2.1969);

/**
 * `cv2.distanceTransform(src, cv2.DIST_L2, 5)`: the two-pass 5x5 chamfer distance (weights 1,
 * 1.4 and 2.1969 in 16.16 fixed point) to the nearest zero pixel, as float32. Pixels with no zero
 * in reach get OpenCV's cap (INT_MAX >> 2) / 65536.
 */
export function distanceTransformL2Mask5(src: Uint8Array, w: number, h: number, out: Float32Array): void {
  const B = 2;
  const tw = w + 2 * B;
  const t = scratch.doubles('distances', tw * (h + 2 * B)).fill(INIT_DIST0);
  for (let y = 0; y < h; y++) {
    const r = (y + B) * tw + B;
    for (let x = 0; x < w; x++) {
      const j = r + x;
      if (src[y * w + x] === 0) {
        t[j] = 0;
        continue;
      }
      t[j] = Math.min(
        t[j - 2 * tw - 1]! + LONG,
        t[j - 2 * tw + 1]! + LONG,
        t[j - tw - 2]! + LONG,
        t[j - tw - 1]! + DIAG,
        t[j - tw]! + HV,
        t[j - tw + 1]! + DIAG,
        t[j - tw + 2]! + LONG,
        t[j - 1]! + HV,
      );
    }
  }
  const scale = fround(1 / 65536);
  for (let y = h - 1; y >= 0; y--) {
    const r = (y + B) * tw + B;
    for (let x = w - 1; x >= 0; x--) {
      const j = r + x;
      let t0 = t[j]!;
      if (t0 > HV) {
        t0 = Math.min(
          t0,
          t[j + 2 * tw + 1]! + LONG,
          t[j + 2 * tw - 1]! + LONG,
          t[j + tw + 2]! + LONG,
          t[j + tw + 1]! + DIAG,
          t[j + tw]! + HV,
          t[j + tw - 1]! + DIAG,
          t[j + tw - 2]! + LONG,
          t[j + 1]! + HV,
        );
        t[j] = t0;
      }
      out[y * w + x] = fround(fround(t0 > DIST_MAX ? DIST_MAX : t0) * scale);
    }
  }
}

/**
 * The 3x3 sums of a one-channel image (BORDER_REFLECT_101), each in double and in OpenCV's order
 * (row by row), into a scratch array.
 */
function sums3x3(src: Float32Array | Uint8Array, w: number, h: number): Float64Array {
  const p = padded1(src, w, h, reflect101);
  const pw = w + 2;
  const sums = scratch.doubles('sums', w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const j = y * pw + x;
      sums[y * w + x] = p[j]! + p[j + 1]! + p[j + 2]! + p[j + pw]! + p[j + pw + 1]! + p[j + pw + 2]! + p[j + 2 * pw]! + p[j + 2 * pw + 1]! + p[j + 2 * pw + 2]!;
    }
  }
  return sums;
}

/** `cv2.blur(src, (3, 3))` on float32 (BORDER_REFLECT_101): sums in double, times 1/9, to float32. */
export function boxBlur3F32(src: Float32Array, w: number, h: number, out: Float32Array): void {
  const sums = sums3x3(src, w, h);
  const scale = 1 / 9;
  for (let i = 0; i < w * h; i++) out[i] = sums[i]! * scale;
}

/** `cv2.blur(src, (3, 3))` on uint8 (BORDER_REFLECT_101): the 3x3 sum divided by 9, rounded. */
export function boxBlur3U8(src: Uint8Array, w: number, h: number, out: Uint8Array): void {
  const sums = sums3x3(src, w, h);
  // s / 9 is never k + 1/2, so plain rounding is OpenCV's.
  for (let i = 0; i < w * h; i++) out[i] = round(sums[i]! / 9);
}

/**
 * `cv2.filter2D(src, cv2.CV_8U, kernel)` for a 3x3 integer kernel (row-major) on uint8: correlation
 * centred on each pixel, BORDER_REFLECT_101, saturated to [0, 255] (sums are exact integers).
 */
export function filter2D3x3U8(src: Uint8Array, w: number, h: number, kernel: readonly number[], out: Uint8Array): void {
  const p = padded1(src, w, h, reflect101);
  const pw = w + 2;
  const [k0, k1, k2, k3, k4, k5, k6, k7, k8] = kernel as [number, number, number, number, number, number, number, number, number];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const j = y * pw + x;
      const s =
        k0 * p[j]! +
        k1 * p[j + 1]! +
        k2 * p[j + 2]! +
        k3 * p[j + pw]! +
        k4 * p[j + pw + 1]! +
        k5 * p[j + pw + 2]! +
        k6 * p[j + 2 * pw]! +
        k7 * p[j + 2 * pw + 1]! +
        k8 * p[j + 2 * pw + 2]!;
      out[y * w + x] = s < 0 ? 0 : s > 255 ? 255 : s;
    }
  }
}

/** Round half to even, as cvRound / saturate_cast<uchar>(float) on x86. */
function rint(x: number): number {
  const r = round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * `cv2.equalizeHist(src)`: LUT from the cumulative histogram, `saturate_cast<uchar>(sum * scale)`
 * in float32 with scale = 255 / (total - count of the lowest level), the lowest level mapped to 0;
 * a one-level image becomes that level everywhere.
 */
export function equalizeHist(src: Uint8Array, out: Uint8Array): void {
  const hist = new Int32Array(256);
  for (let i = 0; i < src.length; i++) hist[src[i]!]!++;
  let i = 0;
  while (hist[i] === 0) i++;
  const total = src.length;
  if (hist[i] === total) {
    out.fill(i, 0, total);
    return;
  }
  const lut = new Uint8Array(256);
  const scale = fround(255 / (total - hist[i]!));
  let sum = 0;
  lut[i++] = 0;
  for (; i < 256; i++) {
    sum += hist[i]!;
    const v = rint(fround(sum * scale));
    lut[i] = v > 255 ? 255 : v;
  }
  for (let k = 0; k < total; k++) out[k] = lut[src[k]!]!;
}

/** numpy's `float.astype(np.uint8)` on x86-64: truncate toward zero, keep the low 8 bits. */
export function castU8(x: number): number {
  return trunc(x) & 255;
}
