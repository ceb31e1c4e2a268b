import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decode } from 'fast-png';
import { packageFile } from '../../packageFiles.ts';
import type { Image } from '../image.ts';
import type { Rng } from '../rng.ts';
import type { SyncCorruption, Severity } from './corruption.ts';

// Per-severity (image weight, frost weight) of make_cifar_c.py.
const FROST: readonly (readonly [number, number])[] = [
  [1, 0.2],
  [1, 0.3],
  [0.9, 0.4],
  [0.85, 0.4],
  [0.75, 0.45],
];
const DIR = packageFile('data', 'frost');

let textures: Image[] | undefined;

/**
 * frost1..frost5 as the original uses them (cv2.imread, resized by 0.2 bilinear, BGR flipped to
 * RGB): data/frost/frost<k>-0.2.png, made by data/frost/make_resized.py with cv2. Loaded once.
 */
export function frostTextures(): Image[] {
  textures ??= [1, 2, 3, 4, 5].map((k) => {
    const png = decode(readFileSync(join(DIR, `frost${k}-0.2.png`)));
    if (png.channels !== 3 || png.depth !== 8) throw new Error(`frost${k}-0.2.png: expected 8-bit RGB`);
    return { width: png.width, height: png.height, channels: 3, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.length) };
  });
  return textures;
}

/**
 * Frost (make_cifar_c.py's `frost`): one of frost1..frost5 (`randint(5)`; frost6 is never picked),
 * a window at a random row `randint(0, H - h)` then column `randint(0, W - w)`, blended as
 * `clip(a x + b frost)` in float64 and truncated. Images must be smaller than the textures
 * (CIFAR's 32 x 32 are). Severities 4 and 5 are closer to the clean image than 3 in the original.
 */
export const frost: SyncCorruption = {
  name: 'frost',
  fidelity: 'same algorithm, constants and frost images (resized by cv2 as the original, shipped in data/frost); texture and window drawn from our Rng',
  apply(src: Image, dst: Uint8Array, severity: Severity, rng: Rng): void {
    const [a, b] = FROST[severity - 1]!;
    const t = frostTextures()[rng.int(5)]!;
    const { width: w, height: h, channels: ch } = src;
    if (ch !== 3 || t.height <= h || t.width <= w) throw new RangeError(`frost: needs RGB images smaller than ${t.width} x ${t.height}`);
    const y0 = rng.int(t.height - h);
    const x0 = rng.int(t.width - w);
    const s = src.data;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const o = (y * w + x) * 3;
        const f = ((y + y0) * t.width + x + x0) * 3;
        for (let k = 0; k < 3; k++) {
          const v = a * s[o + k]! + b * t.data[f + k]!;
          dst[o + k] = v < 0 ? 0 : v > 255 ? 255 : v;
        }
      }
    }
  },
};
