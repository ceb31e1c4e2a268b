import { sinCosInto } from '../sincos.ts';
import { padImage, replicate } from '../border.ts';
import type { Image } from '../image.ts';
import type { Rng } from '../rng.ts';
import type { SyncCorruption, Severity } from './corruption.ts';
import { SEVERITY_CONSTANTS, type CorruptionPreset } from './presets.ts';
import { tapRowSums } from './tapRowSums.ts';

const { ceil, exp, floor, sqrt, trunc } = Math;

/** Scratch for the padded image and a row's sums (kernels are synchronous, so one of each serves every call). */
let PAD = new Float64Array(0);
let SUMS = new Float64Array(0);
const kernels = new Map<string, Float64Array>();

/**
 * ImageMagick 6's motion-blur kernel (`GetMotionBlurKernel`): `2 ceil(radius) + 1` taps, tap i
 * weighted exp(-i² / 2σ²) and normalised to sum 1. One-sided: tap 0 is the pixel itself.
 */
export function motionBlurKernel(radius: number, sigma: number): Float64Array {
  const width = 2 * ceil(radius) + 1;
  const s = Math.abs(sigma) < 1e-12 ? 1e-12 : sigma;
  const k = new Float64Array(width);
  let sum = 0;
  for (let i = 0; i < width; i++) {
    k[i] = exp(-(i * i) / (2 * s * s)) / (sqrt(2 * Math.PI) * s);
    sum += k[i]!;
  }
  for (let i = 0; i < width; i++) k[i] = k[i]! / sum;
  return k;
}

/**
 * The pixel offsets of the taps along `angle` degrees (x right, y down), as ImageMagick 6 rounds
 * them: `ceil(i cos a - 1/2)`, `ceil(i sin a - 1/2)` (through its `width * sin / hypot` detour).
 */
export function motionBlurOffsets(width: number, angle: number): Int32Array {
  const sc = new Float64Array(2);
  sinCosInto((Math.PI * angle) / 180, sc);
  const px = width * sc[0]!;
  const py = width * sc[1]!;
  const hyp = Math.hypot(px, py);
  const off = new Int32Array(2 * width);
  for (let i = 0; i < width; i++) {
    off[2 * i] = ceil((i * py) / hyp - 0.5);
    off[2 * i + 1] = ceil((i * px) / hyp - 0.5);
  }
  return off;
}

/** A sum of 16-bit quanta to ClampToQuantum's quantum, then to the 8-bit PNG level floor(q / 257). */
function toLevel(acc: number): number {
  const q = acc <= 0 ? 0 : acc >= 65535 ? 65535 : trunc(acc + 0.5);
  return floor(q / 257);
}

/**
 * `MagickMotionBlurImage(wand, radius, sigma, angle)` on an 8-bit image as Debian's ImageMagick
 * 6.9.11 Q16 (non-HDRI) computes it between reading a PNG and writing one back: values scaled to
 * 16 bits (x 257); each output the kernel-weighted sum, in double, of the pixels at the taps'
 * offsets (edge pixels repeat beyond the border, ImageMagick's default virtual-pixel method),
 * rounded to a 16-bit quantum (ClampToQuantum), then written to the 8-bit PNG as floor(q / 257)
 * (measured: that is what its PNG coder gives, not a rounding). Every channel alike, so a grey
 * (one-channel) image is blurred as IM blurs a greyscale PNG. Bit-exact with Wand on 100 CIFAR
 * test images x 5 severities given the same angles. `dst` must not alias `src`.
 */
export function magickMotionBlur(src: Uint8Array, w: number, h: number, ch: number, radius: number, sigma: number, angle: number, dst: Uint8Array): void {
  const key = `${radius}/${sigma}`;
  let k = kernels.get(key);
  if (!k) kernels.set(key, (k = motionBlurKernel(radius, sigma)));
  const width = k.length;
  const off = motionBlurOffsets(width, angle);
  // The image as 16-bit quanta (x 257, exact), with its edge pixels repeated P deep all round, so
  // every tap is a fixed offset: no clamping per tap. The sums run in the same order as before.
  let p = 0;
  for (let i = 0; i < 2 * width; i++) p = Math.max(p, Math.abs(off[i]!));
  const pw = w + 2 * p;
  const ph = h + 2 * p;
  if (PAD.length < pw * ph * ch) PAD = new Float64Array(pw * ph * ch);
  const pad = PAD;
  padImage(src, w, h, ch, p, replicate, pad, 257);
  const taps = new Int32Array(width);
  for (let i = 0; i < width; i++) taps[i] = (off[2 * i + 1]! * pw + off[2 * i]!) * ch;
  const rowLength = w * ch;
  if (SUMS.length < rowLength) SUMS = new Float64Array(rowLength);
  for (let y = 0; y < h; y++) {
    tapRowSums(pad, ((y + p) * pw + p) * ch, rowLength, taps, k, SUMS);
    const o = y * rowLength;
    for (let v = 0; v < rowLength; v++) dst[o + v] = toLevel(SUMS[v]!);
  }
}

/**
 * Blur along a random direction: ImageMagick's motion blur (radius, sigma per severity) at an
 * angle U(-45, 45) degrees, re-implemented (see magickMotionBlur) instead of calling ImageMagick
 * through Wand on a PNG round trip as the original does. Other ImageMagick versions (7, HDRI
 * builds, other PNG coders) round differently; ours follows Debian bookworm's 6.9.11 Q16.
 */
export const motionBlur: SyncCorruption = {
  name: 'motion_blur',
  fidelity:
    "ImageMagick 6.9.11 Q16's MotionBlurImage + PNG round trip re-implemented (one-sided Gaussian line kernel, edge pixels), bit-exact given the angle; angle from our Rng",
  apply(src: Image, dst: Uint8Array, severity: Severity, preset: CorruptionPreset, rng: Rng): void {
    const { radius, sigma } = SEVERITY_CONSTANTS[preset].motion_blur[severity - 1]!;
    magickMotionBlur(src.data, src.width, src.height, src.channels, radius, sigma, rng.range(-45, 45), dst);
  },
};
