import { affineCoefficients, affineInto } from './affine.ts';
import { allocating, type Image } from './image.ts';

/**
 * AugMix's translate_x: `img.transform(size, AFFINE, (1, 0, px, 0, 1, 0), BILINEAR)` into
 * `dst`, i.e. out(x, y) = in(x + px, y): positive px moves the content left and leaves a black
 * strip on the right. Integer px copies pixels exactly; fractional px interpolates.
 * `dst` must have src's shape and must not be `src`. 1 (L) or 3 (RGB) channels.
 * @param px offset in pixels, any finite number.
 */
export function translateXInto(src: Image, dst: Image, px: number): void {
  affineInto(src, dst, affineCoefficients(1, 0, px, 0, 1, 0));
}

/** AugMix's translate_y: matrix (1, 0, 0, 0, 1, px); positive px moves content up. */
export function translateYInto(src: Image, dst: Image, px: number): void {
  affineInto(src, dst, affineCoefficients(1, 0, 0, 0, 1, px));
}

/** {@link translateXInto} as a new image. */
export const translateX = allocating(translateXInto);

/** {@link translateYInto} as a new image. */
export const translateY = allocating(translateYInto);
