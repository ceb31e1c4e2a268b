/**
 * OpenCV's BORDER_REFLECT_101 index (g f | a b c ... | e d) for any overhang (folding again when
 * it is wider than the axis); 0 on an axis of one.
 */
export function reflect101(i: number, n: number): number {
  if (n === 1) return 0;
  while (i < 0 || i >= n) i = i < 0 ? -i : 2 * n - 2 - i;
  return i;
}

/** BORDER_REPLICATE (ImageMagick's edge virtual pixels): the edge value repeats. */
export function replicate(i: number, n: number): number {
  return i < 0 ? 0 : i >= n ? n - 1 : i;
}

/**
 * Copies an HWC image of `w` x `h` x `ch` values into `out` with a border `p` deep on every side,
 * its values times `scale` (exact for the integer scales used here): `out` is (w + 2p) x (h + 2p)
 * x ch. With the border in place, a filter reads each tap at a fixed offset, with no index
 * folding per tap.
 */
export function padImage(
  src: ArrayLike<number>,
  w: number,
  h: number,
  ch: number,
  p: number,
  border: (i: number, n: number) => number,
  out: Float64Array,
  scale = 1,
): void {
  const pw = w + 2 * p;
  for (let y = 0; y < h + 2 * p; y++) {
    const sy = border(y - p, h);
    for (let x = 0; x < pw; x++) {
      const sx = border(x - p, w);
      for (let c = 0; c < ch; c++) out[(y * pw + x) * ch + c] = src[(sy * w + sx) * ch + c]! * scale;
    }
  }
}
