import type { Image } from '../image.ts';
import { unit, type SyncCorruption, type Severity } from './corruption.ts';
import { toUnitFloat } from './gaussianBlur.ts';

const { exp, fround } = Math;

// Per-severity (radius, alias_blur) of make_cifar_c.py.
const DEFOCUS: readonly (readonly [number, number])[] = [
  [0.3, 0.4],
  [0.4, 0.5],
  [0.5, 0.6],
  [1, 0.2],
  [1.5, 0.1],
];

interface Kernel {
  readonly r: number;
  readonly w: Float64Array;
}
const kernels = new Map<Severity, Kernel>();

/**
 * The original's `disk(radius, alias_blur)`: a float32 17x17 indicator of x² + y² <= radius²,
 * normalised, then smoothed by OpenCV's 3x3 GaussianBlur (sigma alias_blur, float32, border
 * reflect-101). Returned cropped to its non-zero centre (radius 2 at most for CIFAR's radii).
 */
function diskKernel(radius: number, aliasBlur: number): Kernel {
  const L = 8;
  const n = 2 * L + 1;
  const disk = new Float32Array(n * n);
  let count = 0;
  for (let y = -L; y <= L; y++) for (let x = -L; x <= L; x++) if (x * x + y * y <= radius * radius) count++;
  for (let y = -L; y <= L; y++) for (let x = -L; x <= L; x++) if (x * x + y * y <= radius * radius) disk[(y + L) * n + x + L] = fround(1 / count);
  // OpenCV's 3-tap Gaussian: exp(-x²/(2σ²)) for x = -1, 0, 1, normalised in double, stored as float32.
  const e = exp(-0.5 / (aliasBlur * aliasBlur));
  const k0 = fround(1 / (1 + 2 * e));
  const k1 = fround(e / (1 + 2 * e));
  const refl = (i: number): number => (i < 0 ? -i : i >= n ? 2 * n - 2 - i : i);
  const rows = new Float32Array(n * n);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const a = disk[y * n + refl(x - 1)]!;
      const b = disk[y * n + refl(x + 1)]!;
      rows[y * n + x] = fround(fround(disk[y * n + x]! * k0) + fround(fround(a + b) * k1));
    }
  }
  const full = new Float32Array(n * n);
  let r = 0;
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const a = rows[refl(y - 1) * n + x]!;
      const b = rows[refl(y + 1) * n + x]!;
      const v = fround(fround(rows[y * n + x]! * k0) + fround(fround(a + b) * k1));
      full[y * n + x] = v;
      if (v !== 0) r = Math.max(r, Math.abs(x - L), Math.abs(y - L));
    }
  }
  const m = 2 * r + 1;
  const w = new Float64Array(m * m);
  for (let y = 0; y < m; y++) for (let x = 0; x < m; x++) w[y * m + x] = full[(y + L - r) * n + x + L - r]!;
  return { r, w };
}

const reflect101 = (i: number, n: number): number => (i < 0 ? -i : i >= n ? 2 * n - 2 - i : i);

/**
 * Correlates each channel with the anti-aliased disk (OpenCV `filter2D`, border reflect-101) in
 * float64. Deterministic. OpenCV computes this 17x17 filter through a DFT; we sum directly over
 * the kernel's non-zero support, so values agree to about 1e-15 and a truncated output level can
 * differ by one where a value lies that close to an integer.
 */
export const defocusBlur: SyncCorruption = {
  name: 'defocus_blur',
  fidelity: "same kernel and border; direct sum instead of OpenCV's DFT (differences ~1e-15 before truncation)",
  apply(src: Image, dst: Uint8Array, severity: Severity): void {
    let k = kernels.get(severity);
    if (!k) kernels.set(severity, (k = diskKernel(...DEFOCUS[severity - 1]!)));
    const { r, w } = k;
    const m = 2 * r + 1;
    const { width, height, channels: ch } = src;
    const a = toUnitFloat(src);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        for (let c = 0; c < ch; c++) {
          let t = 0;
          for (let j = 0; j < m; j++) {
            const row = reflect101(y + j - r, height) * width;
            for (let i = 0; i < m; i++) t += a[(row + reflect101(x + i - r, width)) * ch + c]! * w[j * m + i]!;
          }
          dst[(y * width + x) * ch + c] = unit(t);
        }
      }
    }
  },
};
