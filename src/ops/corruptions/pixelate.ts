import type { Image } from '../image.ts';
import type { SyncCorruption, Severity } from './corruption.ts';
import { SEVERITY_CONSTANTS, type CorruptionPreset } from './presets.ts';
import { pilResize } from '../pilResize.ts';

/**
 * Box-downsamples to `int(side * c)` and box-upsamples back, as Pillow 9.4 does (bit-exact).
 * The original hard-codes 32; other sizes scale each side by c.
 */
export const pixelate: SyncCorruption = {
  name: 'pixelate',
  fidelity: "exact: Pillow 9.4's BOX resampling in fixed point",
  apply(src: Image, dst: Uint8Array, severity: Severity, preset: CorruptionPreset): void {
    const c = SEVERITY_CONSTANTS[preset].pixelate[severity - 1]!;
    const { width: w, height: h, channels: ch } = src;
    const sw = Math.trunc(w * c);
    const sh = Math.trunc(h * c);
    const small = new Uint8Array(sw * sh * ch);
    pilResize(src.data, w, h, ch, small, sw, sh, 'box');
    pilResize(small, sw, sh, ch, dst, w, h, 'box');
  },
};
