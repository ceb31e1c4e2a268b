import type { Image } from '../image.ts';
import type { Rng } from '../rng.ts';
import { unitFloat32, type SyncCorruption, type Severity } from './corruption.ts';
import { ImageMemo } from './imageMemo.ts';
import { SEVERITY_CONSTANTS, type CorruptionPreset } from './presets.ts';
import { magickMotionBlur } from './motionBlur.ts';
import { clippedZoom } from './zoomBlur.ts';

const { fround, trunc } = Math;

// OpenCV's RGB2GRAY weights as float32.
const R2Y = fround(0.299);
const G2Y = fround(0.587);
const B2Y = fround(0.114);

// What the five severities of an image share: its float32 values and 1.5 grey + 0.5 per pixel.
const memo = new ImageMemo();
// Scratch for the layer and its zoom, and for the grey layer and its blur (kernels are synchronous).
let LAYERS = new Float64Array(0);
let GREYS = new Uint8Array(0);

function brightened(img: Image, n: number, ch: number): { readonly x: Float32Array; readonly bright: Float32Array } {
  memo.see(img);
  const s = img.data;
  return memo.get('bright', () => {
    const x = unitFloat32(s);
    const bright = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const o = i * ch;
      const y = fround(x[o + 2]! * B2Y + fround(x[o + 1]! * G2Y + fround(x[o]! * R2Y)));
      bright[i] = fround(fround(y * 1.5) + 0.5);
    }
    return { x, bright };
  });
}

/**
 * Snow (make_cifar_c.py's `snow`): a layer N(loc, scale) per pixel (drawn in row order from `rng`),
 * zoomed in (`clipped_zoom`), zeroed below the threshold, saved as an 8-bit grey image (truncated)
 * and motion-blurred at an angle U(-135, -45) degrees (motionBlur.ts, ImageMagick re-implemented).
 * The image is brightened towards max(x, 1.5 grey + 0.5) with weight 1 - c (float32; the grey is
 * cv2's RGB2GRAY, whose AVX2 path sums with fused multiply-adds: b fma (g fma r)), then the layer
 * and the layer turned 180° are added (float64), clipped and truncated to uint8.
 */
export const snow: SyncCorruption = {
  name: 'snow',
  fidelity: "same algorithm and constants; the motion blur is motion_blur's ImageMagick re-implementation; normal draws and angle from our Rng",
  apply(src: Image, dst: Uint8Array, severity: Severity, preset: CorruptionPreset, rng: Rng): void {
    const { loc, scale, zoom, threshold, radius, sigma, weight } = SEVERITY_CONSTANTS[preset].snow[severity - 1]!;
    const { width: w, height: h, channels: ch } = src;
    const n = w * h;
    if (LAYERS.length < 2 * n) LAYERS = new Float64Array(2 * n);
    if (GREYS.length < 2 * n) GREYS = new Uint8Array(2 * n);
    const layer = LAYERS.subarray(0, n);
    rng.normals(layer);
    for (let i = 0; i < n; i++) layer[i] = loc + scale * layer[i]!;
    const zoomed = LAYERS.subarray(n, 2 * n);
    clippedZoom(layer, w, h, 1, zoom, zoomed);
    const grey = GREYS.subarray(0, n);
    for (let i = 0; i < n; i++) {
      const v = zoomed[i]! < threshold ? 0 : zoomed[i]!;
      grey[i] = trunc((v < 0 ? 0 : v > 1 ? 1 : v) * 255);
    }
    const blurred = GREYS.subarray(n, 2 * n);
    magickMotionBlur(grey, w, h, 1, radius, sigma, rng.range(-135, -45), blurred);
    const cw = fround(weight);
    const cr = fround(1 - weight);
    const { x, bright } = brightened(src, n, ch);
    for (let i = 0; i < n; i++) {
      const o = i * ch;
      const b = bright[i]!;
      const flake = blurred[i]! / 255;
      const turned = blurred[n - 1 - i]! / 255;
      for (let k = 0; k < ch; k++) {
        const xk = x[o + k]!;
        const mixed = fround(fround(cw * xk) + fround(cr * (xk > b ? xk : b)));
        const v = mixed + flake + turned;
        dst[o + k] = v < 0 ? 0 : v > 1 ? 255 : v * 255;
      }
    }
  },
};
