import type { Image } from './image.ts';

/**
 * The baseline: optional horizontal flip, then a crop of the image zero-padded by `padding` on
 * every side, taken at offset (dx, dy) of the padded image (torchvision's RandomHorizontalFlip then
 * RandomCrop(size, padding) with fill 0). `dst` has the shape of `src`.
 */
export function flipCropInto(src: Image, dst: Image, flip: boolean, dx: number, dy: number, padding: number): void {
  const { width: w, height: h, channels: c } = src;
  const s = src.data;
  const d = dst.data;
  for (let y = 0; y < h; y++) {
    const sy = y + dy - padding;
    const row = y * w * c;
    if (sy < 0 || sy >= h) {
      d.fill(0, row, row + w * c);
      continue;
    }
    for (let x = 0; x < w; x++) {
      const fx = x + dx - padding;
      const o = row + x * c;
      if (fx < 0 || fx >= w) {
        for (let k = 0; k < c; k++) d[o + k] = 0;
        continue;
      }
      const sx = flip ? w - 1 - fx : fx;
      const i = (sy * w + sx) * c;
      for (let k = 0; k < c; k++) d[o + k] = s[i + k]!;
    }
  }
}
