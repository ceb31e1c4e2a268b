import type { Image } from '../image.ts';
import type { SyncCorruption, Severity } from './corruption.ts';
import { pilBoxResize } from './pilBoxResize.ts';

// Per-severity scale of make_cifar_c.py: down to int(32 c) pixels and back, both with BOX.
const PIXELATE = [0.95, 0.9, 0.85, 0.75, 0.65];

/**
 * Box-downsamples to `int(side * c)` and box-upsamples back, as Pillow 9.4 does (bit-exact).
 * The original hard-codes 32; other sizes scale each side by c.
 */
export const pixelate: SyncCorruption = {
  name: 'pixelate',
  fidelity: "exact: Pillow 9.4's BOX resampling in fixed point",
  apply(src: Image, dst: Uint8Array, severity: Severity): void {
    const c = PIXELATE[severity - 1]!;
    const { width: w, height: h, channels: ch } = src;
    const sw = Math.trunc(w * c);
    const sh = Math.trunc(h * c);
    const small = new Uint8Array(sw * sh * ch);
    pilBoxResize(src.data, w, h, ch, small, sw, sh);
    pilBoxResize(small, sw, sh, ch, dst, w, h);
  },
};
