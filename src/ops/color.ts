import { blendInto, degenerateScratch } from './blend.ts';
import { allocating, type Image } from './image.ts';

/**
 * `ImageEnhance.Color(img).enhance(f)` (Pillow 9.4) into `dst`: blend from the image's grey
 * version, `L = (19595 R + 38470 G + 7471 B + 0x8000) >> 16` in all three channels
 * (Convert.c rgb2l, then L to RGB). For a 1-channel (L) image the degenerate image is the image
 * itself, so Pillow returns it unchanged for every f; so do we.
 * @param f any finite number; 0 gives grey, 1 a copy (AugMix: [0.1, 1.9)).
 * `dst` has src's shape and may be `src`.
 * @throws RangeError for channel counts other than 1 or 3 (Pillow's RGBA path keeps alpha).
 */
export function colorInto(src: Image, dst: Image, f: number): void {
  const s = src.data;
  if (src.channels === 1) {
    dst.data.set(s);
    return;
  }
  if (src.channels !== 3) {
    throw new RangeError(`color: expected 1 (L) or 3 (RGB) channels, got ${src.channels}`);
  }
  const grey = degenerateScratch(s.length);
  for (let i = 0; i < s.length; i += 3) {
    const l = (19595 * s[i]! + 38470 * s[i + 1]! + 7471 * s[i + 2]! + 0x8000) >> 16;
    grey[i] = l;
    grey[i + 1] = l;
    grey[i + 2] = l;
  }
  blendInto(grey, s, dst.data, f);
}

/** `ImageEnhance.Color(img).enhance(f)` as a new image; see {@link colorInto}. */
export const color = allocating(colorInto);
