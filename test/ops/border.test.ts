import { padImage, reflect101, replicate } from '../../src/ops/border.ts';

describe('image borders', () => {
  it("fold indices as OpenCV's REFLECT_101 (also beyond one width) and REPLICATE", () => {
    expect([-3, -2, -1, 0, 3, 4, 5, 6].map((i) => reflect101(i, 4))).toEqual([3, 2, 1, 0, 3, 2, 1, 0]);
    // Wider than the axis: folds again (g f | a b c | e d, then back).
    expect([-5, 8].map((i) => reflect101(i, 3))).toEqual([1, 0]);
    expect(reflect101(-7, 1)).toBe(0);
    expect([-2, 0, 2, 5].map((i) => replicate(i, 3))).toEqual([0, 0, 2, 2]);
  });

  it('pads an image on every side, scaled', () => {
    // A 2 x 1 image of two channels: (1, 2) then (3, 4).
    const out = new Float64Array((2 + 2) * (1 + 2) * 2);
    padImage([1, 2, 3, 4], 2, 1, 2, 1, replicate, out, 10);
    const row = [10, 20, 10, 20, 30, 40, 30, 40];
    expect([...out]).toEqual([...row, ...row, ...row]);
    padImage([1, 2, 3, 4], 2, 1, 2, 1, reflect101, out);
    expect([...out.subarray(0, 8)]).toEqual([3, 4, 1, 2, 3, 4, 1, 2]);
  });
});
