import type { Image } from '../image.ts';
import { unit, type SyncCorruption, type Severity } from './corruption.ts';
import { tapRowSums } from './tapRowSums.ts';
import { SEVERITY_CONSTANTS, type CorruptionPreset } from './presets.ts';
import { toUnitFloat } from './gaussianBlur.ts';
import { padImage, reflect101 } from '../border.ts';

const { exp, fround } = Math;

interface Kernel {
  readonly r: number;
  readonly w: Float64Array;
}
const kernels = new Map<string, Kernel>();

/**
 * OpenCV's float32 Gaussian kernel of `taps` (3 or 5) for `sigma` (`getGaussianKernelBitExact`:
 * exp(x² · (-0.125 / σ²)) for x = 1 - taps, 3 - taps, ..., times 1 / sum), centre tap first.
 */
function gaussianTaps(taps: 3 | 5, sigma: number): Float32Array {
  const scale = -0.125 / (sigma * sigma);
  const half = (taps - 1) / 2;
  const outer = Array.from({ length: half }, (_, i) => exp((2 * (half - i)) ** 2 * scale));
  const sum = 1 + 2 * outer.reduce((a, b) => a + b, 0);
  const mul = 1 / sum;
  // [centre, 1 away, 2 away]
  return Float32Array.from([mul, ...outer.reverse().map((t) => t * mul)]);
}

/**
 * OpenCV's separable float32 pass of a symmetric 3- or 5-tap kernel at one position, in its order:
 * centre · k0 + (both 1 away) · k1 [+ (both 2 away) · k2], each step rounded to float32.
 */
function symmetricTap(v: (d: number) => number, k: Float32Array): number {
  let s = fround(fround(v(0) * k[0]!) + fround(fround(v(-1) + v(1)) * k[1]!));
  if (k.length > 2) s = fround(s + fround(fround(v(-2) + v(2)) * k[2]!));
  return s;
}

/**
 * The original's `disk(radius, alias_blur)`: a float32 indicator of x² + y² <= radius² on
 * `arange(-8, 9)`² (or `arange(-radius, radius + 1)`² above radius 8, with a 5x5 instead of a 3x3
 * blur), normalised, then smoothed by OpenCV's GaussianBlur (sigma alias_blur, float32, border
 * reflect-101). Returned cropped to its non-zero centre.
 */
function diskKernel(radius: number, aliasBlur: number): Kernel {
  const L = radius <= 8 ? 8 : Math.trunc(radius);
  const n = 2 * L + 1;
  const disk = new Float32Array(n * n);
  let count = 0;
  for (let y = -L; y <= L; y++) for (let x = -L; x <= L; x++) if (x * x + y * y <= radius * radius) count++;
  for (let y = -L; y <= L; y++) for (let x = -L; x <= L; x++) if (x * x + y * y <= radius * radius) disk[(y + L) * n + x + L] = fround(1 / count);
  const k = gaussianTaps(radius <= 8 ? 3 : 5, aliasBlur);
  const rows = new Float32Array(n * n);
  for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) rows[y * n + x] = symmetricTap((d) => disk[y * n + reflect101(x + d, n)]!, k);
  const full = new Float32Array(n * n);
  let r = 0;
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const v = symmetricTap((d) => rows[reflect101(y + d, n) * n + x]!, k);
      full[y * n + x] = v;
      if (v !== 0) r = Math.max(r, Math.abs(x - L), Math.abs(y - L));
    }
  }
  const m = 2 * r + 1;
  const w = new Float64Array(m * m);
  for (let y = 0; y < m; y++) for (let x = 0; x < m; x++) w[y * m + x] = full[(y + L - r) * n + x + L - r]!;
  return { r, w };
}

/**
 * The disk's taps with a non-zero weight, as offsets into an image padded r deep of row length
 * `pw` pixels, with their weights, in row-major order; built once per kernel and layout.
 */
const tapLists = new WeakMap<Kernel, Map<string, { taps: Int32Array; tw: Float64Array }>>();
function tapsFor(k: Kernel, pw: number, ch: number): { taps: Int32Array; tw: Float64Array } {
  let layouts = tapLists.get(k);
  if (!layouts) tapLists.set(k, (layouts = new Map()));
  const key = `${pw}/${ch}`;
  let hit = layouts.get(key);
  if (!hit) {
    const m = 2 * k.r + 1;
    const offs: number[] = [];
    const weights: number[] = [];
    for (let j = 0; j < m; j++) {
      for (let i = 0; i < m; i++) {
        if (k.w[j * m + i] === 0) continue;
        offs.push((j * pw + i) * ch);
        weights.push(k.w[j * m + i]!);
      }
    }
    layouts.set(key, (hit = { taps: Int32Array.from(offs), tw: Float64Array.from(weights) }));
  }
  return hit;
}

/** Scratch for the padded image and a row's sums (kernels are synchronous, so one of each serves every call). */
let PAD = new Float64Array(0);
let SUMS = new Float64Array(0);

/**
 * Correlates each channel with the anti-aliased disk (OpenCV `filter2D`, border reflect-101) in
 * float64. Deterministic. OpenCV computes this filter (17x17 or larger) through a DFT; we sum directly over
 * the kernel's non-zero support (up to 25x25 for ImageNet-C's radius 10), so values agree to about 1e-15 and a truncated output level can
 * differ by one where a value lies that close to an integer.
 */
export const defocusBlur: SyncCorruption = {
  name: 'defocus_blur',
  fidelity: "same kernel and border; direct sum instead of OpenCV's DFT (differences ~1e-15 before truncation)",
  apply(src: Image, dst: Uint8Array, severity: Severity, preset: CorruptionPreset): void {
    const { radius, aliasBlur } = SEVERITY_CONSTANTS[preset].defocus_blur[severity - 1]!;
    const key = `${radius}/${aliasBlur}`;
    let k = kernels.get(key);
    if (!k) kernels.set(key, (k = diskKernel(radius, aliasBlur)));
    const { r } = k;
    const { width, height, channels: ch } = src;
    const a = toUnitFloat(src);
    // The image with a reflect-101 border r deep, so each tap is a fixed offset; taps of weight 0
    // are left out (each would add exactly +0), the others summed in the same order as before.
    const pw = width + 2 * r;
    const ph = height + 2 * r;
    if (PAD.length < pw * ph * ch) PAD = new Float64Array(pw * ph * ch);
    const pad = PAD;
    padImage(a, width, height, ch, r, reflect101, pad);
    const { taps, tw } = tapsFor(k, pw, ch);
    const rowLength = width * ch;
    if (SUMS.length < rowLength) SUMS = new Float64Array(rowLength);
    for (let y = 0; y < height; y++) {
      tapRowSums(pad, y * pw * ch, rowLength, taps, tw, SUMS);
      const o = y * rowLength;
      for (let v = 0; v < rowLength; v++) dst[o + v] = unit(SUMS[v]!);
    }
  },
};
