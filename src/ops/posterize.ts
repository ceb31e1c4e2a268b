import { allocating, type Image } from './image.ts';
import { stage, unstage } from './kernels.ts';

/**
 * `ImageOps.posterize(img, bits)` into `dst`: keeps the top `bits` bits of every sample,
 * `v & ~(2^(8 - bits) - 1)`. Pillow builds this as a LUT; the mask is the same function.
 * @param bits integer in [0, 8]; 0 gives black, 8 a copy.
 * Runs in WebAssembly (wasm/pixels.c, 16 bytes per instruction).
 * `dst` has src's shape and may be `src`. Any channel count.
 */
export function posterizeInto(src: Image, dst: Image, bits: number): void {
  const at = stage(src.data, dst.data);
  at.k.posterize(at.src, at.dst, src.data.length, ~((1 << (8 - bits)) - 1) & 255);
  unstage();
}

/** `ImageOps.posterize(img, bits)` as a new image; see {@link posterizeInto}. */
export const posterize = allocating(posterizeInto);
