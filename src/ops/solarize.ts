import { allocating, type Image } from './image.ts';
import { stage, unstage } from './kernels.ts';

const ceil = Math.ceil;

/**
 * `ImageOps.solarize(img, threshold)` into `dst`: `v < threshold ? v : 255 - v` per sample.
 * @param threshold any number; <= 0 inverts everything, > 255 is a copy.
 * Runs in WebAssembly (wasm/pixels.c, 16 bytes per instruction).
 * `dst` has src's shape and may be `src`. Any channel count.
 */
export function solarizeInto(src: Image, dst: Image, threshold: number): void {
  // For integer v, v < threshold ⇔ v < ceil(threshold): the kernel takes an integer in [0, 256].
  const t = threshold > 255 ? 256 : threshold > 0 ? ceil(threshold) : 0;
  const at = stage(src.data, dst.data);
  at.k.solarize(at.src, at.dst, src.data.length, t);
  unstage();
}

/** `ImageOps.solarize(img, threshold)` as a new image; see {@link solarizeInto}. */
export const solarize = allocating(solarizeInto);
