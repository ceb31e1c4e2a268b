import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decode } from 'fast-png';
import { packageFile } from '../../packageFiles.ts';
import type { Image } from '../image.ts';
import type { Rng } from '../rng.ts';
import type { SyncCorruption, Severity } from './corruption.ts';
import { SEVERITY_CONSTANTS, type CorruptionPreset } from './presets.ts';

const DIR = packageFile('data', 'frost');

const textures = new Map<number, Image[]>();

/** The file holding frost image `k` as read and resized by `scale`: see data/frost/make_resized.py. */
function textureFile(k: number, scale: number): string {
  if (scale !== 1) return `frost${k}-${scale}.png`;
  return k <= 3 ? `frost${k}.png` : `frost${k}-1.png`;
}

/**
 * frost1..frost5 as a generator uses them (cv2.imread, resized by `scale` bilinear, BGR flipped to
 * RGB), made by data/frost/make_resized.py with cv2 (alpha dropped). Loaded once per scale.
 */
export function frostTextures(preset: CorruptionPreset): Image[] {
  const scale = SEVERITY_CONSTANTS[preset].frost_scale;
  let loaded = textures.get(scale);
  if (!loaded) {
    loaded = [1, 2, 3, 4, 5].map((k) => {
      const name = textureFile(k, scale);
      const png = decode(readFileSync(join(DIR, name)));
      if (png.depth !== 8 || png.channels < 3) throw new Error(`${name}: expected 8-bit RGB`);
      const rgb = new Uint8Array(png.width * png.height * 3);
      for (let i = 0, j = 0; i < rgb.length; i += 3, j += png.channels) rgb.set(png.data.subarray(j, j + 3), i);
      return { width: png.width, height: png.height, channels: 3, data: rgb };
    });
    textures.set(scale, loaded);
  }
  return loaded;
}

/**
 * Frost (the generators' `frost`): one of frost1..frost5 (`randint(5)`; frost6 is never picked),
 * a window at a random row `randint(0, H - h)` then column `randint(0, W - w)`, blended as
 * `clip(a x + b frost)` in float64 and truncated. Images must be smaller than the textures (each
 * preset's size is). In CIFAR-10-C, severities 4 and 5 are closer to the clean image than 3.
 */
export const frost: SyncCorruption = {
  name: 'frost',
  fidelity: 'same algorithm, constants and frost images (resized by cv2 as the original, shipped in data/frost); texture and window drawn from our Rng',
  apply(src: Image, dst: Uint8Array, severity: Severity, preset: CorruptionPreset, rng: Rng): void {
    const { image: a, frost: b } = SEVERITY_CONSTANTS[preset].frost[severity - 1]!;
    const t = frostTextures(preset)[rng.int(5)]!;
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
