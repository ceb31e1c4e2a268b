import { type Image, imageLike } from './image.ts';

/**
 * `ImageOps.solarize(img, threshold)` into `dst`: `v < threshold ? v : 255 - v` per sample.
 * @param threshold any number; <= 0 inverts everything, > 255 is a copy.
 * `dst` has src's shape and may be `src`. Any channel count.
 */
export function solarizeInto(src: Image, dst: Image, threshold: number): void {
  const s = src.data;
  const d = dst.data;
  for (let i = 0; i < s.length; i++) {
    const v = s[i]!;
    d[i] = v < threshold ? v : 255 - v;
  }
}

/** `ImageOps.solarize(img, threshold)` as a new image; see {@link solarizeInto}. */
export function solarize(img: Image, threshold: number): Image {
  const out = imageLike(img);
  solarizeInto(img, out, threshold);
  return out;
}
