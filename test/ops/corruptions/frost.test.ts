import { frost, frostTextures } from '../../../src/ops/corruptions/frost.ts';
import type { Rng } from '../../../src/ops/rng.ts';
import { flat } from './helpers.ts';

const SUM = 503713;
const FIRST = [131, 147, 160];
const LAST = [163, 180, 188];

describe('frost', () => {
  it('reads the five textures as cv2 resizes them (0.2, bilinear)', () => {
    expect(frostTextures('cifar').map((t) => [t.height, t.width])).toEqual([
      [120, 180],
      [63, 112],
      [63, 112],
      [70, 105],
      [99, 132],
    ]);
  });

  it('blends the drawn window of the drawn texture, as the original (frost4.jpg, rows 10.., columns 20..)', () => {
    // Expected values from cv2: resize(imread('frost4.jpg'), fx=fy=0.2)[10:42, 20:52][..., ::-1].
    const draws = [3, 10, 20];
    const rng = { int: () => draws.shift()! } as unknown as Rng;
    const out = new Uint8Array(32 * 32 * 3);
    frost.apply(flat(0, 32, 32), out, 2, 'cifar', rng);
    const window = frostTextures('cifar')[3]!;
    let sum = 0;
    for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) for (let k = 0; k < 3; k++) sum += window.data[((y + 10) * window.width + x + 20) * 3 + k]!;
    expect(sum).toBe(SUM);
    expect([...out.subarray(0, 3)]).toEqual(FIRST.map((v) => Math.trunc(0.3 * v)));
    expect([...out.subarray(out.length - 3)]).toEqual(LAST.map((v) => Math.trunc(0.3 * v)));
  });
});
