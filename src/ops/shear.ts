import { affineCoefficients, affineInto } from './affine.ts';
import { allocating, type Image } from './image.ts';

/**
 * AugMix's shear_x: `img.transform(size, AFFINE, (1, s, 0, 0, 1, 0), BILINEAR)` into `dst`,
 * i.e. out(u, v) = in(u + s*v, v) in continuous coordinates (pixel centres at k + 0.5). Pivots on
 * the top-left corner, so the bottom rows move most. `dst` must have src's shape and must not be `src`. 1 (L) or 3 (RGB) channels.
 * @param s shear factor, any finite number (AugMix: |s| < 0.3).
 */
export function shearXInto(src: Image, dst: Image, s: number): void {
  affineInto(src, dst, affineCoefficients(1, s, 0, 0, 1, 0));
}

/** AugMix's shear_y: matrix (1, 0, 0, s, 1, 0); see {@link shearXInto}. */
export function shearYInto(src: Image, dst: Image, s: number): void {
  affineInto(src, dst, affineCoefficients(1, 0, 0, s, 1, 0));
}

/** {@link shearXInto} as a new image. */
export const shearX = allocating(shearXInto);

/** {@link shearYInto} as a new image. */
export const shearY = allocating(shearYInto);
