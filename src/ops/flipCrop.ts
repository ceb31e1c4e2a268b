import type { Image } from './image.ts';
import { stage, unstage } from './kernels.ts';

/**
 * The baseline: optional horizontal flip, then a crop of the image zero-padded by `padding` on
 * every side, taken at offset (dx, dy) of the padded image (torchvision's RandomHorizontalFlip then
 * RandomCrop(size, padding) with fill 0). `dst` has the shape of `src` and must not be `src`.
 * Runs in WebAssembly (wasm/pixels.c: row copies, or a reversed row when flipped).
 */
export function flipCropInto(src: Image, dst: Image, flip: boolean, dx: number, dy: number, padding: number): void {
  const at = stage(src.data, dst.data);
  at.k.flip_crop(at.src, at.dst, src.width, src.height, src.channels, flip ? 1 : 0, dx, dy, padding);
  unstage();
}
