import { type Image, imageLike } from './image.ts';
import { LUT, applyChannelLuts, channelHistograms, identityLut } from './lut.ts';

/**
 * `ImageOps.equalize(img)` (Pillow 9.4) into `dst`, per channel with histogram h: let nz be the
 * non-zero counts; if there is at most one, or `step = (sum(nz) - nz[-1]) // 255` is 0, the
 * channel is unchanged; otherwise `n = step // 2` and, for i = 0..255, `lut[i] = n // step`,
 * `n += h[i]`.
 *
 * Fidelity: that rule gives values above 255 for the top bins whenever
 * `step // 2 + (sum - last) % step >= step`, which is common (e.g. 1024-pixel images).
 * `Image.point` clips each LUT entry with CLIP8 (_imaging.c getlist), so they become 255, not
 * wrapped; the AugMix notes (section 1a) do not mention this.
 * `dst` has src's shape and may be `src`. 1 (L) or 3 (RGB) channels.
 */
export function equalizeInto(src: Image, dst: Image): void {
  const hist = channelHistograms(src);
  for (let c = 0; c < src.channels; c++) {
    const base = c * 256;
    let nonzero = 0;
    let sum = 0;
    let last = 0;
    for (let i = 0; i < 256; i++) {
      const k = hist[base + i]!;
      if (k === 0) continue;
      nonzero++;
      sum += k;
      last = k;
    }
    const step = Math.floor((sum - last) / 255);
    if (nonzero <= 1 || step === 0) {
      identityLut(c);
      continue;
    }
    let n = Math.floor(step / 2);
    for (let i = 0; i < 256; i++) {
      const v = Math.floor(n / step);
      LUT[base + i] = v > 255 ? 255 : v;
      n += hist[base + i]!;
    }
  }
  applyChannelLuts(src, dst);
}

/** `ImageOps.equalize(img)` as a new image; see {@link equalizeInto}. */
export function equalize(img: Image): Image {
  const out = imageLike(img);
  equalizeInto(img, out);
  return out;
}
