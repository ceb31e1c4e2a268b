import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Severity } from '../../../src/ops/corruptions/corruption.ts';
import { spatter } from '../../../src/ops/corruptions/spatter.ts';
import { imageAt } from '../../../src/ops/image.ts';
import type { Rng } from '../../../src/ops/rng.ts';
import { testImages } from './helpers.ts';
import { boxBlur3F32, boxBlur3U8, canny, distanceTransformL2Mask5, equalizeHist, filter2D3x3U8 } from '../../../src/ops/corruptions/opencv.ts';

// Made by test/fixtures/make_opencv_fixtures.py (Debian's python3-opencv 4.6): each step of the
// original spatter's water branch on six liquid layers.
const FIX = JSON.parse(readFileSync(fileURLToPath(new URL('../../fixtures/opencv-spatter.json', import.meta.url)), 'utf8')) as {
  w: number;
  h: number;
  cases: Record<string, string>[];
  z: string;
  spatter: string[];
};
const u8 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));
const f32 = (s: string): Float32Array => {
  const b = Buffer.from(s, 'base64');
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
};
const differing = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
};

describe('the OpenCV steps of spatter equal cv2 bit for bit', () => {
  const { w, h } = FIX;
  // Output buffers start full of stale values, as reused buffers are: every value must be written.
  const stale = (n: number): Uint8Array => new Uint8Array(n).fill(7);
  const staleF = (n: number): Float32Array => new Float32Array(n).fill(7);
  it.each(FIX.cases.map((c, i) => [i, c] as const))('case %i', (_i, c) => {
    const n = w * h;
    const edges = stale(n);
    canny(u8(c.liquid!), w, h, 50, 150, edges);
    expect(differing(edges, u8(c.edges!))).toBe(0);
    const inv = u8(c.edges!).map((v) => 255 - v);
    const dist = staleF(n);
    distanceTransformL2Mask5(inv, w, h, dist);
    expect(differing(dist, f32(c.dist!))).toBe(0);
    const trunc = f32(c.dist!).map((v) => (v > 20 ? 20 : v));
    const blurred = staleF(n);
    boxBlur3F32(trunc, w, h, blurred);
    expect(differing(blurred, f32(c.blurred!))).toBe(0);
    const eq = stale(n);
    equalizeHist(
      Uint8Array.from(f32(c.blurred!), (v) => Math.trunc(v)),
      eq,
    );
    expect(differing(eq, u8(c.eq!))).toBe(0);
    const filt = stale(n);
    filter2D3x3U8(u8(c.eq!), w, h, [-2, -1, 0, -1, 1, 1, 0, 1, 2], filt);
    expect(differing(filt, u8(c.filt!))).toBe(0);
    const final = stale(n);
    boxBlur3U8(u8(c.filt!), w, h, final);
    expect(differing(final, u8(c.final!))).toBe(0);
  });
});

describe('spatter equals the original given the same normal draws', () => {
  it.each([1, 2, 3, 4, 5])('severity %i (water 1-3, mud 4-5)', async (s) => {
    const b = Buffer.from(FIX.z, 'base64');
    const z = new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
    const ds = await testImages(2);
    for (let k = 0; k < 2; k++) {
      let i = 0;
      const rng = { normals: (out: Float64Array) => out.forEach((_, j) => (out[j] = z[i++]!)) } as unknown as Rng;
      const out = new Uint8Array(32 * 32 * 3);
      spatter.apply(imageAt(ds.pixels, ds.shape, k), out, s as Severity, 'cifar', rng);
      expect(differing(out, u8(FIX.spatter[(s - 1) * 2 + k]!))).toBe(0);
    }
  });
});
