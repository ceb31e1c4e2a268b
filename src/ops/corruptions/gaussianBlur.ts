import type { Image } from '../image.ts';
import { unit, type SyncCorruption, type Severity } from './corruption.ts';
import { SEVERITY_CONSTANTS, type CorruptionPreset } from './presets.ts';
import { gaussianFilter } from './gaussianFilter.ts';

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
    gaussianFilter(a, src.width, src.height, src.channels, SEVERITY_CONSTANTS[preset].gaussian_blur[severity - 1]!);
    for (let i = 0; i < a.length; i++) dst[i] = unit(a[i]!);
  },
};
