import type { Image } from '../image.ts';
import { unit, type SyncCorruption, type Severity } from './corruption.ts';
import type { ByPreset, CorruptionPreset } from './presets.ts';
import { gaussianFilter } from './gaussianFilter.ts';

// Per-severity sigma of each generator.
const SIGMA: ByPreset<readonly number[]> = {
  cifar: [0.4, 0.6, 0.7, 0.8, 1],
  'tiny-imagenet': [0.5, 0.75, 1, 1.25, 1.5],
  imagenet: [1, 2, 3, 4, 6],
};

let BUF = new Float64Array(0);

/** The image as float64 in [0, 1] in a module scratch buffer (kernels are synchronous, so sharing is safe). */
export function toUnitFloat(src: Image): Float64Array {
  const n = src.data.length;
  if (BUF.length < n) BUF = new Float64Array(n);
  const a = BUF.subarray(0, n);
  for (let i = 0; i < n; i++) a[i] = src.data[i]! / 255;
  return a;
}

/** skimage's Gaussian filter (mode 'nearest', truncate 4) per channel. Deterministic. */
export const gaussianBlur: SyncCorruption = {
  name: 'gaussian_blur',
  fidelity: "exact: scipy 1.10's gaussian_filter (kernel, border and summation order) in float64",
  apply(src: Image, dst: Uint8Array, severity: Severity, preset: CorruptionPreset): void {
    const a = toUnitFloat(src);
    gaussianFilter(a, src.width, src.height, src.channels, SIGMA[preset][severity - 1]!);
    for (let i = 0; i < a.length; i++) dst[i] = unit(a[i]!);
  },
};
