import sharp from 'sharp';
import { jpegRoundTripFits, jpegRoundTripInto } from '../../../src/ops/corruptions/jpegRoundTrip.ts';
import { testImages } from './helpers.ts';

// Our JPEG arithmetic against a real codec: sharp (libvips with libjpeg-turbo's integer DCT),
// whose output with these settings equals Pillow 9.4's (test/ops/corruptions/reference.test.ts
// checks jpeg_compression against the original generator's own output).
async function codec(src: Uint8Array, height: number, width: number, quality: number): Promise<Uint8Array> {
  const jpeg = await sharp(src, { raw: { width, height, channels: 3 } })
    .jpeg({ quality, chromaSubsampling: '4:2:0', trellisQuantisation: false, overshootDeringing: false, optimiseScans: false, quantisationTable: 0 })
    .toBuffer();
  return new Uint8Array((await sharp(jpeg).raw().toBuffer()).buffer.slice(0));
}

function ours(src: Uint8Array, height: number, width: number, quality: number): Uint8Array {
  const out = new Uint8Array(height * width * 3);
  jpegRoundTripInto(src, height, width, quality, out);
  return out;
}

/** Deterministic noise (an LCG), the hardest case for the range limits. */
function noise(n: number, seed: number): Uint8Array {
  let s = seed >>> 0;
  return Uint8Array.from({ length: n }, () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 24);
}

describe('jpegRoundTripInto', () => {
  it("equals libjpeg-turbo's encode and decode on real images at the five CIFAR-C qualities", async () => {
    const ds = await testImages(60);
    let compared = 0;
    for (const q of [80, 65, 58, 50, 40]) {
      for (let i = 0; i < ds.count; i++) {
        const src = ds.pixels.subarray(i * 3072, (i + 1) * 3072);
        expect(Buffer.from(ours(src, 32, 32, q)).equals(Buffer.from(await codec(src, 32, 32, q)))).toBe(true);
        compared++;
      }
    }
    expect(compared).toBe(300);
  });

  it('does so at 64x64, 224x224 and 48x80, on noise, stripes and flat images, at qualities 1 to 100', async () => {
    const ds = await testImages(4);
    const tiled = new Uint8Array(64 * 64 * 3);
    for (let t = 0; t < 4; t++)
      for (let y = 0; y < 32; y++) tiled.set(ds.pixels.subarray(t * 3072 + y * 96, t * 3072 + y * 96 + 96), (((t >> 1) * 32 + y) * 64 + (t & 1) * 32) * 3);
    const cases: [Uint8Array, number, number][] = [
      [tiled, 64, 64],
      [noise(224 * 224 * 3, 7), 224, 224],
      [noise(48 * 80 * 3, 9), 48, 80],
      [Uint8Array.from({ length: 32 * 32 * 3 }, (_, i) => ((i >> 3) & 1 ? 255 : 0)), 32, 32],
      [new Uint8Array(16 * 16 * 3).fill(255), 16, 16],
    ];
    for (const q of [1, 10, 40, 75, 95, 100])
      for (const [src, h, w] of cases) expect(Buffer.from(ours(src, h, w, q)).equals(Buffer.from(await codec(src, h, w, q)))).toBe(true);
  });

  it('takes whole 16x16 MCUs only, and says so', () => {
    expect(jpegRoundTripFits(32, 32)).toBe(true);
    expect(jpegRoundTripFits(224, 48)).toBe(true);
    expect(jpegRoundTripFits(30, 32)).toBe(false);
    expect(() => jpegRoundTripInto(new Uint8Array(30 * 32 * 3), 30, 32, 80, new Uint8Array(30 * 32 * 3))).toThrow(/30x32 is not made of whole 16x16 MCUs/);
  });
});
