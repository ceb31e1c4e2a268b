import type { Image } from '../image.ts';
import type { Rng } from '../rng.ts';
import { unit, type SyncCorruption, type Severity } from './corruption.ts';
import { ImageMemo } from './imageMemo.ts';
import { SEVERITY_CONSTANTS, type CorruptionPreset } from './presets.ts';
import { toUnitFloat } from './gaussianBlur.ts';
import { gaussianFilter } from './gaussianFilter.ts';

const memo = new ImageMemo();

/**
 * Blur, locally shuffle, blur again, as the original does it:
 * - the first blur is truncated to uint8 before shuffling;
 * - for each iteration, h and w run from side - 1 - d down to d + 1 (31..2 on CIFAR) and offsets
 *   are `randint(-d, d)`, i.e. in [-d, d): with d = 1, only -1 or 0 (dx drawn before dy);
 * - the "swap" `x[h, w], x[h', w'] = x[h', w'], x[h, w]` on numpy views is a copy: (h, w) takes
 *   (h', w')'s pixel and (h', w') keeps its own.
 * Severities 3 > 4 and 5 < 4 in distance from the clean image, as in the original.
 */
export const glassBlur: SyncCorruption = {
  name: 'glass_blur',
  fidelity: 'same algorithm, constants and numpy-view copy quirk; offsets drawn from our Rng',
  apply(src: Image, dst: Uint8Array, severity: Severity, preset: CorruptionPreset, rng: Rng): void {
    const { sigma, maxDelta: d, iterations } = SEVERITY_CONSTANTS[preset].glass_blur[severity - 1]!;
    const { width: w, height: h, channels: ch } = src;
    // The first blur, truncated to uint8, depends on the image and sigma only (CIFAR's severities
    // 2 and 4 share a sigma, as do 3 and 5).
    memo.see(src);
    const x = dst;
    x.set(
      memo.get(`blur ${sigma}`, () => {
        const a = toUnitFloat(src);
        gaussianFilter(a, w, h, ch, sigma);
        const blurred = new Uint8Array(a.length);
        for (let i = 0; i < a.length; i++) blurred[i] = a[i]! * 255;
        return blurred;
      }),
    );
    for (let it = 0; it < iterations; it++) {
      for (let yy = h - d; yy > d; yy--) {
        for (let xx = w - d; xx > d; xx--) {
          const dx = rng.int(2 * d) - d;
          const dy = rng.int(2 * d) - d;
          const o = (yy * w + xx) * ch;
          const p = ((yy + dy) * w + (xx + dx)) * ch;
          for (let c = 0; c < ch; c++) x[o + c] = x[p + c]!;
        }
      }
    }
    const a = toUnitFloat({ ...src, data: x });
    gaussianFilter(a, w, h, ch, sigma);
    for (let i = 0; i < a.length; i++) dst[i] = unit(a[i]!);
  },
};
