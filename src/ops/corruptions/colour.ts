import type { Image } from '../image.ts';
import { unit, type SyncCorruption, type Severity } from './corruption.ts';
import { SEVERITY_CONSTANTS, type CorruptionPreset } from './presets.ts';
import { hsvToRgb, rgbToHsv } from './hsv.ts';
import { ImageMemo } from './imageMemo.ts';

const HSV = new Float64Array(3);
const RGB = new Float64Array(3);

// The five severities of an image convert it to HSV once.
const memo = new ImageMemo();

/** The HSV of an RGB image, [h, s, v] per pixel. */
function hsvOf(img: Image): Float64Array {
  memo.see(img);
  const s = img.data;
  return memo.get('hsv', () => {
    const hsv = new Float64Array(s.length);
    for (let i = 0; i < s.length; i += 3) {
      rgbToHsv(s[i]! / 255, s[i + 1]! / 255, s[i + 2]! / 255, HSV);
      hsv.set(HSV, i);
    }
    return hsv;
  });
}

/**
 * Maps each pixel through an HSV round trip (float64, skimage's formulas) with HSV channel `k`
 * replaced by `clip(x * scale + shift, 0, 1)`.
 */
function hsvMap(name: string, src: Image, dst: Uint8Array, k: number, scale: number, shift: number): void {
  if (src.channels !== 3) throw new RangeError(`${name}: needs RGB images (3 channels), got ${src.channels}`);
  const hsv = hsvOf(src);
  for (let i = 0; i < hsv.length; i += 3) {
    HSV[0] = hsv[i]!;
    HSV[1] = hsv[i + 1]!;
    HSV[2] = hsv[i + 2]!;
    HSV[k] = clip01(HSV[k]! * scale + shift);
    hsvToRgb(HSV[0], HSV[1], HSV[2], RGB);
    dst[i] = unit(RGB[0]!);
    dst[i + 1] = unit(RGB[1]!);
    dst[i + 2] = unit(RGB[2]!);
  }
}

const clip01 = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : x);

/** Adds c to the HSV value channel (clipped to [0, 1]). Deterministic. RGB images only. */
export const brightness: SyncCorruption = {
  name: 'brightness',
  fidelity: "exact: skimage 0.19's rgb2hsv / hsv2rgb in float64, same constants",
  apply(src: Image, dst: Uint8Array, severity: Severity, preset: CorruptionPreset): void {
    const c = SEVERITY_CONSTANTS[preset].brightness[severity - 1]!;
    // v * 1 + c is v + c exactly.
    hsvMap('brightness', src, dst, 2, 1, c);
  },
};

/**
 * Scales the HSV saturation: `clip(s * a + b, 0, 1)`. RGB images only. Severities 1-2 desaturate (x0.3, x0.1) and
 * 3-5 saturate, so the distance from the clean image is not monotone (3 < 2), as in the original.
 */
export const saturate: SyncCorruption = {
  name: 'saturate',
  fidelity: "exact: skimage 0.19's rgb2hsv / hsv2rgb in float64, same constants",
  apply(src: Image, dst: Uint8Array, severity: Severity, preset: CorruptionPreset): void {
    const { scale, shift } = SEVERITY_CONSTANTS[preset].saturate[severity - 1]!;
    hsvMap('saturate', src, dst, 1, scale, shift);
  },
};

const MEANS = new Float64Array(4);

/** `(x - mean) * c + mean` with the per-channel mean over the image, x in [0, 1]. Deterministic. */
export const contrast: SyncCorruption = {
  name: 'contrast',
  fidelity: "exact up to float summation order of numpy's per-channel mean",
  apply(src: Image, dst: Uint8Array, severity: Severity, preset: CorruptionPreset): void {
    const c = SEVERITY_CONSTANTS[preset].contrast[severity - 1]!;
    const s = src.data;
    const ch = src.channels;
    const n = src.width * src.height;
    MEANS.fill(0);
    // numpy reduces axes (0, 1) of an HWC array with the channel as inner loop: a plain running sum.
    for (let i = 0; i < s.length; i += ch) for (let k = 0; k < ch; k++) MEANS[k] += s[i + k]! / 255;
    for (let k = 0; k < ch; k++) MEANS[k] = MEANS[k]! / n;
    for (let i = 0; i < s.length; i += ch) {
      for (let k = 0; k < ch; k++) {
        const m = MEANS[k]!;
        dst[i + k] = unit((s[i + k]! / 255 - m) * c + m);
      }
    }
  },
};
