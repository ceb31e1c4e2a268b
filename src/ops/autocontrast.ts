import { type Image, imageLike } from './image.ts';
import { LUT, applyChannelLuts, channelHistograms, identityLut } from './lut.ts';

/**
 * `ImageOps.autocontrast(img)` (cutoff 0, Pillow 9.4) into `dst`: per channel, stretches
 * [lo, hi] (the smallest and largest values present) to [0, 255] with
 * `lut[i] = clamp(int(i * scale + offset))`, `scale = 255 / (hi - lo)`, `offset = -lo * scale`
 * in double precision, `int` truncating toward zero. A channel with `hi <= lo` is unchanged.
 * `dst` has src's shape and may be `src`. 1 (L) or 3 (RGB) channels.
 */
export function autocontrastInto(src: Image, dst: Image): void {
  const hist = channelHistograms(src);
  for (let c = 0; c < src.channels; c++) {
    const base = c * 256;
    let lo = 0;
    while (lo < 255 && hist[base + lo] === 0) lo++;
    let hi = 255;
    while (hi > 0 && hist[base + hi] === 0) hi--;
    if (hi <= lo) {
      identityLut(c);
      continue;
    }
    const scale = 255 / (hi - lo);
    const offset = -lo * scale;
    for (let i = 0; i < 256; i++) {
      const v = Math.trunc(i * scale + offset);
      LUT[base + i] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
  applyChannelLuts(src, dst);
}

/** `ImageOps.autocontrast(img)` as a new image; see {@link autocontrastInto}. */
export function autocontrast(img: Image): Image {
  const out = imageLike(img);
  autocontrastInto(img, out);
  return out;
}
