import type { Image } from '../image.ts';
import type { Rng } from '../rng.ts';
import { unitFloat32, type SyncCorruption, type Severity } from './corruption.ts';
import { ImageMemo } from './imageMemo.ts';
import { SEVERITY_CONSTANTS, type CorruptionPreset } from './presets.ts';
import { gaussianFilter } from './gaussianFilter.ts';
import { affineFromPoints, warpAffineReflect101 } from './warpAffine.ts';

const { floor, fround, trunc } = Math;

/** scipy's `map_coordinates(mode='reflect')` coordinate folding (half-sample symmetric). */
function foldCoordinate(x: number, n: number): number {
  const n2 = 2 * n;
  if (x < 0) {
    if (x < -n2) x = n2 * trunc(-x / n2) + x;
    return x < -n ? x + n2 : -x - 1;
  }
  if (x > n - 1) {
    x -= n2 * trunc(x / n2);
    if (x >= n) x = n2 - x - 1;
  }
  return x;
}
const foldIndex = (i: number, n: number): number => {
  if (i >= 0 && i < n) return i;
  const p = 2 * n;
  let j = i % p;
  if (j < 0) j += p;
  return j < n ? j : p - 1 - j;
};

// The image as float32, once for its five severities; scratch for the warp and the two fields
// (kernels are synchronous, so one of each serves every call).
const memo = new ImageMemo();
let WARPED = new Float32Array(0);
let FIELDS = new Float64Array(0);

/**
 * A random affine warp of the three points (c ± s) (OpenCV, reflect-101), then an elastic
 * displacement field: uniform(-1, 1) noise smoothed by a Gaussian (sigma, mode 'reflect',
 * truncate 3), times alpha, sampled with scipy's order-1 `map_coordinates(mode='reflect')`.
 * The image stays float32 throughout, as in the original. Draws: 6 affine jitters, then the dx
 * field, then the dy field, in C order.
 */
export const elasticTransform: SyncCorruption = {
  name: 'elastic_transform',
  fidelity: "same constants; OpenCV's fixed-point warpAffine and scipy's map_coordinates reproduced; draws from our Rng",
  apply(src: Image, dst: Uint8Array, severity: Severity, preset: CorruptionPreset, rng: Rng): void {
    const { width: w, height: h, channels: ch } = src;
    const size = Math.min(w, h);
    const { elastic_size: imsize, elastic_transform } = SEVERITY_CONSTANTS[preset];
    const c = elastic_transform[severity - 1]!;
    const [alpha, sigma, jitter] = [imsize * c.alpha, imsize * c.sigma, imsize * c.jitter];
    memo.see(src);
    const image = memo.get('float32', () => unitFloat32(src.data));
    // shape_size = (h, w) read as (x, y) point pairs, as the original does (the same on square images).
    const cy = floor(h / 2);
    const cx = floor(w / 2);
    const sq = floor(size / 3);
    const pts1 = [cy + sq, cx + sq, cy + sq, cx - sq, cy - sq, cx - sq];
    const pts2 = pts1.map((p) => fround(p + fround(rng.range(-jitter, jitter))));
    if (WARPED.length < image.length) WARPED = new Float32Array(image.length);
    const warped = WARPED.subarray(0, image.length);
    warpAffineReflect101(image, w, h, ch, affineFromPoints(pts1, pts2), warped);
    if (FIELDS.length < 2 * w * h) FIELDS = new Float64Array(2 * w * h);
    const field = (k: number): Float64Array => {
      const a = FIELDS.subarray(k * w * h, (k + 1) * w * h);
      for (let i = 0; i < a.length; i++) a[i] = rng.range(-1, 1);
      gaussianFilter(a, w, h, 1, sigma, 'reflect', 3);
      for (let i = 0; i < a.length; i++) a[i] = fround(a[i]! * alpha);
      return a;
    };
    const dx = field(0);
    const dy = field(1);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const p = y * w + x;
        const yc = foldCoordinate(y + dy[p]!, h);
        const xc = foldCoordinate(x + dx[p]!, w);
        const y0 = floor(yc);
        const x0 = floor(xc);
        // scipy's order-1 weights: w0 = 1 - t, w1 = 1 - w0.
        const wy0 = 1 - (yc - y0);
        const wy1 = 1 - wy0;
        const wx0 = 1 - (xc - x0);
        const wx1 = 1 - wx0;
        const r0 = foldIndex(y0, h) * w;
        const r1 = foldIndex(y0 + 1, h) * w;
        const c0 = foldIndex(x0, w);
        const c1 = foldIndex(x0 + 1, w);
        const p00 = (r0 + c0) * ch;
        const p01 = (r0 + c1) * ch;
        const p10 = (r1 + c0) * ch;
        const p11 = (r1 + c1) * ch;
        for (let k = 0; k < ch; k++) {
          const f = fround(warped[p00 + k]! * wy0 * wx0 + warped[p01 + k]! * wy0 * wx1 + warped[p10 + k]! * wy1 * wx0 + warped[p11 + k]! * wy1 * wx1);
          dst[p * ch + k] = f < 0 ? 0 : f > 1 ? 255 : fround(f * 255);
        }
      }
    }
  },
};
