/** An 8-bit image, HWC interleaved, row-major: pixel (x, y) channel c is at `(y * width + x) * channels + c`. */
export interface Image {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly data: Uint8Array;
}

/** The shape of an image, without its pixels. */
export type ImageShape = Pick<Image, 'width' | 'height' | 'channels'>;

/** A zero-filled (black) image of the given shape. */
export function createImage(width: number, height: number, channels = 3): Image {
  return { width, height, channels, data: new Uint8Array(width * height * channels) };
}

/** A new image with the same shape as `img` and a copy of its pixels. */
export function cloneImage(img: Image): Image {
  return { width: img.width, height: img.height, channels: img.channels, data: img.data.slice() };
}

/** A zero-filled image with the same shape as `img`. */
export function imageLike(img: ImageShape): Image {
  return createImage(img.width, img.height, img.channels);
}

/** A kernel that writes into `dst` as a function that returns a new image of `src`'s shape. */
export function allocating<P extends unknown[]>(into: (src: Image, dst: Image, ...params: P) => void): (img: Image, ...params: P) => Image {
  return (img, ...params) => {
    const out = imageLike(img);
    into(img, out, ...params);
    return out;
  };
}

/** A view of image `index` inside a packed NHWC uint8 array (no copy). */
export function imageAt(pixels: Uint8Array, shape: ImageShape, index: number): Image {
  const size = shape.width * shape.height * shape.channels;
  return { ...pick(shape), data: pixels.subarray(index * size, (index + 1) * size) };
}

function pick(shape: ImageShape): ImageShape {
  return { width: shape.width, height: shape.height, channels: shape.channels };
}
