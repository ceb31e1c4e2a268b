import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Severity } from '../../../src/ops/corruptions/corruption.ts';
import { snow } from '../../../src/ops/corruptions/snow.ts';
import { imageAt } from '../../../src/ops/image.ts';
import type { Rng } from '../../../src/ops/rng.ts';
import { testImages } from './helpers.ts';
import { magickMotionBlur, motionBlurKernel, motionBlurOffsets } from '../../../src/ops/corruptions/motionBlur.ts';

// Made by test/fixtures/make_magick_fixtures.py (Debian's ImageMagick 6.9.11 Q16 through Wand).
const FIX = JSON.parse(readFileSync(fileURLToPath(new URL('../../fixtures/magick-motion.json', import.meta.url)), 'utf8')) as {
  grey: string;
  cases: { radius: number; sigma: number; angle: number; rgb: string; rgbOut: string; greyOut: string }[];
  z: string;
  u: number;
  snow: string[];
};
const u8 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));
const differing = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
};

describe("ImageMagick's motion blur", () => {
  it('is a one-sided Gaussian line of 2 ceil(radius) + 1 taps', () => {
    const k = motionBlurKernel(6, 1);
    expect(k.length).toBe(13);
    expect(k.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
    expect(k[1]! / k[0]!).toBeCloseTo(Math.exp(-0.5), 12);
    expect([...motionBlurOffsets(5, 0)]).toEqual([0, 0, 1, 0, 2, 0, 3, 0, 4, 0]);
    expect([...motionBlurOffsets(3, 90)]).toEqual([0, 0, 0, 1, 0, 2]);
  });

  it.each(FIX.cases.map((c) => [`${c.radius}x${c.sigma}+${c.angle}`, c] as const))('equals Wand on a PNG round trip: %s', (_n, c) => {
    const rgb = new Uint8Array(32 * 32 * 3);
    magickMotionBlur(u8(c.rgb), 32, 32, 3, c.radius, c.sigma, c.angle, rgb);
    expect(differing(rgb, u8(c.rgbOut))).toBe(0);
    const grey = new Uint8Array(32 * 32);
    magickMotionBlur(u8(FIX.grey), 32, 32, 1, c.radius, c.sigma, c.angle - 60, grey);
    expect(differing(grey, u8(c.greyOut))).toBe(0);
  });
});

describe('snow equals the original given the same draws', () => {
  it.each([1, 2, 3, 4, 5])('severity %i', async (s) => {
    const b = Buffer.from(FIX.z, 'base64');
    const z = new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
    const ds = await testImages(2);
    for (let k = 0; k < 2; k++) {
      let i = 0;
      const rng = {
        normals: (out: Float64Array) => out.forEach((_, j) => (out[j] = z[i++]!)),
        range: (lo: number, hi: number) => lo + (hi - lo) * FIX.u,
      } as unknown as Rng;
      const out = new Uint8Array(32 * 32 * 3);
      snow.apply(imageAt(ds.pixels, ds.shape, k), out, s as Severity, 'cifar', rng);
      expect(differing(out, u8(FIX.snow[(s - 1) * 2 + k]!))).toBe(0);
    }
  });
});
