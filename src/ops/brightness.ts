import { blendSample, extrapolates } from './blend.ts';
import { allocating, type Image } from './image.ts';
import { LUT, applySharedLut } from './lut.ts';

/**
 * `ImageEnhance.Brightness(img).enhance(f)` (Pillow 9.4) into `dst`: blend from a black
 * degenerate image, `out = f * v` in float32, truncated (clipped when f is outside [0, 1]).
 * The result depends on v alone, so it is tabulated once per call (256 entries).
 * @param f any finite number; 0 gives black, 1 a copy (AugMix: [0.1, 1.9)).
 * `dst` has src's shape and may be `src`. 1 (L) or 3 (RGB) channels.
 */
export function brightnessInto(src: Image, dst: Image, f: number): void {
  const a = Math.fround(f);
  const ext = extrapolates(a);
  for (let v = 0; v < 256; v++) LUT[v] = blendSample(0, v, a, ext);
  applySharedLut(src, dst);
}

/** `ImageEnhance.Brightness(img).enhance(f)` as a new image; see {@link brightnessInto}. */
export const brightness = allocating(brightnessInto);
