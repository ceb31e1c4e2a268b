import { blendSample, extrapolates } from './blend.ts';
import { allocating, type Image } from './image.ts';
import { LUT, applySharedLut } from './lut.ts';

/**
 * `ImageEnhance.Contrast(img).enhance(f)` (Pillow 9.4) into `dst`: blend from a constant grey
 * degenerate image, `int(mean(L) + 0.5)`, where L is the grey conversion
 * `(19595 R + 38470 G + 7471 B + 0x8000) >> 16` (the image itself for 1 channel) and the mean
 * is ImageStat's: an exact integer sum over the histogram divided by the count in double.
 * With the degenerate constant, the result depends on v alone: tabulated once per call.
 * @param f any finite number; 0 gives the flat mean, 1 a copy (AugMix: [0.1, 1.9)).
 * `dst` has src's shape and may be `src`. 1 (L) or 3 (RGB) channels.
 */
export function contrastInto(src: Image, dst: Image, f: number): void {
  const s = src.data;
  let sum = 0;
  if (src.channels === 1) {
    for (let i = 0; i < s.length; i++) sum += s[i]!;
  } else {
    for (let i = 0; i < s.length; i += 3) {
      sum += (19595 * s[i]! + 38470 * s[i + 1]! + 7471 * s[i + 2]! + 0x8000) >> 16;
    }
  }
  const pixels = src.width * src.height;
  const mean = Math.floor(sum / pixels + 0.5);
  const a = Math.fround(f);
  const ext = extrapolates(a);
  for (let v = 0; v < 256; v++) LUT[v] = blendSample(mean, v, a, ext);
  applySharedLut(src, dst);
}

/** `ImageEnhance.Contrast(img).enhance(f)` as a new image; see {@link contrastInto}. */
export const contrast = allocating(contrastInto);
