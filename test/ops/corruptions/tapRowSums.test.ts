import { tapRowSums } from '../../../src/ops/corruptions/tapRowSums.ts';

describe('tapRowSums', () => {
  it.each([1, 3, 4, 7, 13])('gives each of %i values the sum over the taps in tap order, bit for bit', (length) => {
    // Values whose sums depend on the order of the additions, so a reordering would show.
    const pad = Float64Array.from({ length: 64 }, (_, i) => Math.sin(i * 12.9898) * 1e3 + 1 / (i + 1));
    const taps = Int32Array.from([0, 5, 2, 17, 9, 30]);
    const weights = Float64Array.from([0.1, 0.7, 1e-9, 3.3, -0.25, 1 / 3]);
    const sums = new Float64Array(length).fill(NaN);
    tapRowSums(pad, 3, length, taps, weights, sums);
    for (let v = 0; v < length; v++) {
      let t = 0;
      for (let i = 0; i < taps.length; i++) t += weights[i]! * pad[3 + v + taps[i]!]!;
      expect(sums[v]).toBe(t);
    }
  });
});
