import { allocating, type Image } from './image.ts';
import { stage, unstage } from './kernels.ts';

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
 * Runs in WebAssembly (wasm/lut.c). `dst` has src's shape and may be `src`. 1 (L) or 3 (RGB) channels.
 */
export function equalizeInto(src: Image, dst: Image): void {
  const at = stage(src.data, dst.data);
  at.k.equalize(at.src, at.dst, src.data.length, src.channels);
  unstage();
}

/** `ImageOps.equalize(img)` as a new image; see {@link equalizeInto}. */
export const equalize = allocating(equalizeInto);
