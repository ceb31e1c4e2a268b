import { fourierBasis } from '../../src/ops/fourierBasis.ts';
import { perturbFloatInto } from '../../src/ops/fourierPerturb.ts';
import { modelInputInto, type InputTransform } from '../../src/ops/modelInput.ts';
import { normalizationTable, normalizeInto } from '../../src/ops/normalize.ts';

const H = 4;
const W = 5;
const C = 3;
const N = 3;
const size = H * W * C;
const pixels = Uint8Array.from({ length: N * size }, (_, i) => (Math.imul(i + 7, 2654435761) >>> 24) & 255);
const unit = Float32Array.from(pixels, (v) => v / 255);
const shape = { height: H, width: W, channels: C };
const nhwcRgb: InputTransform = { layout: 'nhwc', channelOrder: 'rgb', scale: 1, mean: [0.5, 0.4, 0.3], std: [0.25, 0.5, 0.2] };

describe('modelInputInto', () => {
  it('without a perturbation, equals the data path normalisation bit for bit (NHWC, RGB, [0, 1])', () => {
    const got = new Float32Array(N * size);
    modelInputInto(unit, got, N, shape, nhwcRgb);
    const want = new Float32Array(N * size);
    normalizeInto(pixels, want, normalizationTable(nhwcRgb.mean, nhwcRgb.std), C);
    expect(got).toEqual(want);
  });

  it('with a random-flip perturbation, equals perturbFloatInto then the normalisation, per image and channel sign', () => {
    const basis = fourierBasis({ height: H, width: W, kx: 1, ky: -2, phase: 1.5 * Math.PI, norm: 3 });
    const signs = Float32Array.from([1, -1, 1, -1, -1, 1, 1, 1, -1]);
    const got = new Float32Array(N * size);
    modelInputInto(unit, got, N, shape, nhwcRgb, { basis, signs });
    const f = Math.fround;
    for (let n = 0; n < N; n++) {
      const perturbed = new Float32Array(size);
      perturbFloatInto(unit.subarray(n * size, (n + 1) * size), perturbed, basis, [...signs.subarray(n * C, (n + 1) * C)]);
      const want = Float32Array.from(perturbed, (v, i) => f(f(v - f(nhwcRgb.mean[i % C]!)) / f(nhwcRgb.std[i % C]!)));
      expect(got.subarray(n * size, (n + 1) * size)).toEqual(want);
    }
    // Some values were clipped, so the clip is exercised.
    const clipped = new Float32Array(N * size);
    modelInputInto(unit, clipped, N, shape, { ...nhwcRgb, mean: [0, 0, 0], std: [1, 1, 1] }, { basis, signs });
    expect(clipped.some((v) => v === 0 || v === 1)).toBe(true);
  });

  it('aligned (no signs) adds U to every channel', () => {
    const basis = fourierBasis({ height: H, width: W, kx: 2, ky: 1, phase: 0.3, norm: 1 });
    const got = new Float32Array(N * size);
    modelInputInto(unit, got, N, shape, { ...nhwcRgb, mean: [0, 0, 0], std: [1, 1, 1] }, { basis, signs: null });
    const want = new Float32Array(size);
    perturbFloatInto(unit.subarray(0, size), want, basis, [1, 1, 1]);
    expect(got.subarray(0, size)).toEqual(want);
  });

  it('writes NCHW planes in BGR order, scaled to [0, 255] before the normalisation', () => {
    const t: InputTransform = { layout: 'nchw', channelOrder: 'bgr', scale: 255, mean: [120, 110, 100], std: [60, 50, 40] };
    const got = new Float32Array(N * size);
    modelInputInto(unit, got, N, shape, t);
    const f = Math.fround;
    for (let n = 0; n < N; n++) {
      for (let p = 0; p < H * W; p++) {
        for (let c = 0; c < C; c++) {
          const v = f(unit[n * size + p * C + c]! * 255);
          expect(got[n * size + (C - 1 - c) * H * W + p]).toBe(f(f(v - t.mean[c]!) / t.std[c]!));
        }
      }
    }
  });

  it('leaves the rest of a larger buffer alone (a fixed-batch model padded at the end)', () => {
    const got = new Float32Array((N + 1) * size).fill(7);
    modelInputInto(unit, got, N, shape, nhwcRgb);
    expect(got.subarray(N * size).every((v) => v === 7)).toBe(true);
  });
});
