import { allocating, type Image } from './image.ts';
import { stage, unstage } from './kernels.ts';

/**
 * `ImageOps.autocontrast(img)` (cutoff 0, Pillow 9.4) into `dst`: per channel, stretches
 * [lo, hi] (the smallest and largest values present) to [0, 255] with
 * `lut[i] = clamp(int(i * scale + offset))`, `scale = 255 / (hi - lo)`, `offset = -lo * scale`
 * in double precision, `int` truncating toward zero. A channel with `hi <= lo` is unchanged.
 * Runs in WebAssembly (wasm/lut.c). `dst` has src's shape and may be `src`. 1 (L) or 3 (RGB) channels.
 */
export function autocontrastInto(src: Image, dst: Image): void {
  const at = stage(src.data, dst.data);
  at.k.autocontrast(at.src, at.dst, src.data.length, src.channels);
  unstage();
}

/** `ImageOps.autocontrast(img)` as a new image; see {@link autocontrastInto}. */
export const autocontrast = allocating(autocontrastInto);
