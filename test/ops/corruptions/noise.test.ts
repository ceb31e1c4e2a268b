import type { Severity } from '../../../src/ops/corruptions/corruption.ts';
import { gaussianNoise, impulseNoise, shotNoise, speckleNoise } from '../../../src/ops/corruptions/noise.ts';
import { logGamma, poissonDraw, poissonParams } from '../../../src/ops/corruptions/poisson.ts';
import { Rng } from '../../../src/ops/rng.ts';
import { flat } from './helpers.ts';

const stats = (xs: ArrayLike<number>): { mean: number; sd: number } => {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  const mean = s / xs.length;
  let v = 0;
  for (let i = 0; i < xs.length; i++) v += (xs[i]! - mean) ** 2;
  return { mean, sd: Math.sqrt(v / (xs.length - 1)) };
};

// A 64 x 64 grey image at level 128 (x = 0.502): 12,288 values per draw, far from the clip bounds.
const GREY = flat(128);
const X = 128 / 255;
const run = (apply: typeof gaussianNoise.apply, s: Severity): Uint8Array => {
  const out = new Uint8Array(GREY.data.length);
  void apply(GREY, out, s, 'cifar', Rng.at(1, 'corrupt', 0, s));
  return out;
};

describe('noise corruptions on a flat grey image', () => {
  it.each([
    [1, 0.04],
    [3, 0.08],
    [5, 0.1],
  ] as const)('gaussian_noise severity %i has sd c = %f (x 255) and the truncation bias', (s, c) => {
    const out = run(gaussianNoise.apply, s);
    const { mean, sd } = stats(out);
    expect(sd / 255).toBeGreaterThan(c * 0.97);
    expect(sd / 255).toBeLessThan(c * 1.03);
    // np.uint8 truncates: the mean sits half a level below 128 (within 4 standard errors).
    expect(Math.abs(mean - 127.5)).toBeLessThan((4 * sd) / Math.sqrt(out.length));
  });

  it.each([
    [1, 500],
    [5, 50],
  ] as const)('shot_noise severity %i has variance x / c (c = %i)', (s, c) => {
    const { mean, sd } = stats(run(shotNoise.apply, s));
    expect(Math.abs(mean / 255 - X)).toBeLessThan(0.005);
    expect((sd / 255) ** 2 / (X / c)).toBeGreaterThan(0.94);
    expect((sd / 255) ** 2 / (X / c)).toBeLessThan(1.06);
  });

  it.each([
    [1, 0.01],
    [5, 0.07],
  ] as const)('impulse_noise severity %i replaces a fraction c = %f of values, half salt, half pepper', (s, c) => {
    const out = run(impulseNoise.apply, s);
    let salt = 0;
    let pepper = 0;
    let other = 0;
    for (const v of out) {
      if (v === 255) salt++;
      else if (v === 0) pepper++;
      else if (v !== 128 && v !== 127) other++;
    }
    const n = out.length;
    expect(other).toBe(0);
    expect(Math.abs((salt + pepper) / n - c)).toBeLessThan(4 * Math.sqrt((c * (1 - c)) / n));
    expect(Math.abs(salt - pepper)).toBeLessThan(4 * Math.sqrt(salt + pepper));
  });

  it.each([
    [1, 0.06],
    [5, 0.2],
  ] as const)('speckle_noise severity %i has sd x c (c = %f)', (s, c) => {
    const { sd } = stats(run(speckleNoise.apply, s));
    expect(sd / 255 / (X * c)).toBeGreaterThan(0.97);
    expect(sd / 255 / (X * c)).toBeLessThan(1.03);
  });
});

describe('poisson', () => {
  it.each([0.5, 3, 9.9, 10, 50, 400])('has mean and variance lam = %f', (lam) => {
    const rng = Rng.at(3, 'corrupt', 0, 0);
    const xs = Float64Array.from({ length: 20000 }, () => poissonDraw(rng, poissonParams(lam)));
    const { mean, sd } = stats(xs);
    expect(Math.abs(mean - lam)).toBeLessThan(5 * Math.sqrt(lam / xs.length));
    expect((sd * sd) / lam).toBeGreaterThan(0.95);
    expect((sd * sd) / lam).toBeLessThan(1.05);
    expect(xs.every((x) => Number.isInteger(x) && x >= 0)).toBe(true);
  });

  it('logGamma matches log((n-1)!)', () => {
    let f = 0;
    for (let n = 1; n < 30; n++) {
      expect(logGamma(n)).toBeCloseTo(f, 10);
      f += Math.log(n);
    }
  });
});
