import { blendInto, degenerateScratch } from './blend.ts';
import { allocating, type Image } from './image.ts';

// A module-level alias: inside vm contexts (jest) each `Math.x` in a hot loop is a slow
// global lookup through the context's interceptor (sharpness ran ~100x slower under jest).
const fround = Math.fround;

// ImageFilter.SMOOTH is [[1,1,1],[1,5,1],[1,1,1]] / 13; _imaging.c divides each weight in float.
// W1[v] and W5[v] are the float32 products v * weight, tabulated once at load.
const W1 = new Float64Array(256);
const W5 = new Float64Array(256);
for (let v = 0; v < 256; v++) {
  W1[v] = fround(v * fround(1 / 13));
  W5[v] = fround(v * fround(5 / 13));
}

/** Filter.c KERNEL1x3: `(l*k0 + m*k1) + r*k2`, every operation in float32. */
function row3(l: number, m: number, r: number, middle: Float64Array): number {
  return fround(fround(W1[l]! + middle[m]!) + W1[r]!);
}

/**
 * `img.filter(ImageFilter.SMOOTH)` (Filter.c ImagingFilter3x3, Pillow 9.4) into `out`: the
 * float32 accumulator starts at `offset + 0.5 = 0.5` ("add one time for rounding"), adds the
 * rows y+1, y, y-1 in that order, then clip8 truncates. (Starting at 0 and rounding in clip8
 * instead gives the same values: the exact sum is a multiple of 1/13, never near .5.) The
 * 1-pixel border is copied; images under 3x3 are copied whole.
 */
function smoothInto(src: Image, out: Uint8Array): void {
  const { width: w, height: h, channels: ch } = src;
  const s = src.data;
  out.set(s);
  if (w < 3 || h < 3) return;
  const row = w * ch;
  for (let y = 1; y < h - 1; y++) {
    for (let i = y * row + ch; i < (y + 1) * row - ch; i++) {
      const b = i + row;
      const t = i - row;
      let ss = 0.5;
      ss = fround(ss + row3(s[b - ch]!, s[b]!, s[b + ch]!, W1));
      ss = fround(ss + row3(s[i - ch]!, s[i]!, s[i + ch]!, W5));
      ss = fround(ss + row3(s[t - ch]!, s[t]!, s[t + ch]!, W1));
      out[i] = ss >= 255 ? 255 : ss; // Uint8Array store truncates, as clip8's cast
    }
  }
}

/**
 * `ImageEnhance.Sharpness(img).enhance(f)` (Pillow 9.4) into `dst`: blend from the SMOOTH-
 * filtered image (see smoothInto). Border pixels blend with themselves and stay unchanged.
 * @param f any finite number; 0 gives the smoothed image, 1 a copy, 2 a sharpened one.
 * `dst` has src's shape and may be `src`. 1 (L) or 3 (RGB) channels.
 */
export function sharpnessInto(src: Image, dst: Image, f: number): void {
  const smooth = degenerateScratch(src.data.length);
  smoothInto(src, smooth);
  blendInto(smooth, src.data, dst.data, f);
}

/** `ImageEnhance.Sharpness(img).enhance(f)` as a new image; see {@link sharpnessInto}. */
export const sharpness = allocating(sharpnessInto);
