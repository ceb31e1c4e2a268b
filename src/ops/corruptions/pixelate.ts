import type { Image } from '../image.ts';
import type { SyncCorruption, Severity } from './corruption.ts';
import type { ByPreset, CorruptionPreset } from './presets.ts';
import { pilResize } from '../pilResize.ts';

// Per-severity scale of each generator: down to int(side c) pixels and back, both with BOX.
const PIXELATE: ByPreset<readonly number[]> = {
  cifar: [0.95, 0.9, 0.85, 0.75, 0.65],
  'tiny-imagenet': [0.9, 0.8, 0.7, 0.6, 0.5],
  imagenet: [0.6, 0.5, 0.4, 0.3, 0.25],
};

/**
 * Box-downsamples to `int(side * c)` and box-upsamples back, as Pillow 9.4 does (bit-exact).
 * The original hard-codes 32; other sizes scale each side by c.
 */
export const pixelate: SyncCorruption = {
  name: 'pixelate',
  fidelity: "exact: Pillow 9.4's BOX resampling in fixed point",
  apply(src: Image, dst: Uint8Array, severity: Severity, preset: CorruptionPreset): void {
    const c = PIXELATE[preset][severity - 1]!;
    const { width: w, height: h, channels: ch } = src;
    const sw = Math.trunc(w * c);
    const sh = Math.trunc(h * c);
    const small = new Uint8Array(sw * sh * ch);
    pilResize(src.data, w, h, ch, small, sw, sh, 'box');
    pilResize(small, sw, sh, ch, dst, w, h, 'box');
  },
};
