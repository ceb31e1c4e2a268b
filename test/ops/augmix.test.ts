import { Augmenter } from '../../src/ops/augmenter.ts';
import { augmentChunk } from '../../src/ops/augmentChunk.ts';
import { builtinPrimitives, primitiveSets } from '../../src/ops/augmentations.ts';
import { flipCropInto } from '../../src/ops/flipCrop.ts';
import { createImage, imageAt } from '../../src/ops/image.ts';
import { normalizationTable } from '../../src/ops/normalize.ts';
import { Rng } from '../../src/ops/rng.ts';
import { sampleParams, type SampleParams, type ViewParams } from '../../src/ops/sampleParams.ts';
import { defineStrategy, strategies, viewCount } from '../../src/ops/strategy.ts';
import { waveVectors } from '../../src/ops/waveVectors.ts';
import { invert } from '../fixtures/primitives/userPrimitives.ts';

const shape = { width: 32, height: 32, channels: 3 };
const size = 32 * 32 * 3;
const registry = builtinPrimitives();
const pixels = Uint8Array.from({ length: 8 * size }, (_, i) => (i * 2654435761) >>> 24);

function sampleMany(name: string, n = 3000): SampleParams[] {
  const s = strategies[name]!;
  return Array.from({ length: n }, (_, i) => sampleParams(Rng.at(1, 'augment', 0, i), s, shape, registry));
}

function opParams(params: SampleParams[], op: string): unknown[] {
  return params.flatMap((p) =>
    p.views
      .flatMap((v) => (v ? v.chains.flat() : []))
      .filter((r) => r.op === op)
      .map((r) => r.param),
  );
}

describe('AugMix sampling', () => {
  const params = sampleMany('AugSVC');

  it('draws chain depths uniformly from {1, 2, 3} and ops only from the strategy', () => {
    const depths = [0, 0, 0, 0];
    for (const p of params) {
      for (const v of p.views) for (const c of v?.chains ?? []) depths[c.length]!++;
      for (const v of p.views) for (const r of (v?.chains ?? []).flat()) expect(strategies.AugSVC!.ops).toContain(r.op);
    }
    const total = depths[1]! + depths[2]! + depths[3]!;
    expect(depths[0]).toBe(0);
    for (const d of [1, 2, 3]) expect(depths[d]! / total).toBeCloseTo(1 / 3, 1);
  });

  it('maps levels to the reference parameter ranges at severity 3', () => {
    const all = (op: string) => opParams(params, op) as number[];
    expect(new Set(all('posterize'))).toEqual(new Set([3, 4]));
    const rot = all('rotate');
    expect(rot.every((d) => Number.isInteger(d) && d >= -8 && d <= 8)).toBe(true);
    expect(rot.some((d) => d < 0) && rot.some((d) => d > 0)).toBe(true);
    const thr = all('solarize');
    expect(Math.min(...thr)).toBeGreaterThanOrEqual(180);
    expect(Math.max(...thr)).toBeLessThanOrEqual(254);
    const shear = all('shear_x').map(Math.abs);
    expect(Math.min(...shear)).toBeGreaterThanOrEqual(0.003);
    expect(Math.max(...shear)).toBeLessThan(0.09);
    expect(new Set(all('translate_y').map(Math.abs))).toEqual(new Set([0, 1, 2, 3]));
    for (const op of primitiveSets.C) {
      const f = all(op);
      expect(Math.min(...f)).toBeGreaterThanOrEqual(0.118);
      expect(Math.max(...f)).toBeLessThan(0.64);
    }
    expect(all('autocontrast').every((p) => p === null)).toBe(true);
  });

  it('draws Dirichlet chain weights and a Beta mixing weight as float32', () => {
    for (const p of params.slice(0, 200)) {
      for (const v of p.views as ViewParams[]) {
        if (!v) continue;
        expect(v.ws).toHaveLength(3);
        expect(v.ws.reduce((s, w) => s + w, 0)).toBeCloseTo(1, 6);
        expect(v.m >= 0 && v.m < 1).toBe(true);
        expect(Math.fround(v.m)).toBe(v.m);
      }
    }
  });

  it('draws the baseline flip with p = 0.5 and crop offsets in [0, 8]', () => {
    expect(params.filter((p) => p.flip).length / params.length).toBeCloseTo(0.5, 1);
    expect(new Set(params.map((p) => p.dx))).toEqual(new Set([0, 1, 2, 3, 4, 5, 6, 7, 8]));
  });

  it('samples F with the paper settings: norm in [1, 2), phases {0, 2π/3, 4π/3}, no zero frequency, both alignments', () => {
    const f = opParams(sampleMany('AugF', 1500), 'fourier') as { kx: number; ky: number; phase: number; norm: number; signs: number[] }[];
    expect(f.every((p) => p.norm >= 1 && p.norm < 2)).toBe(true);
    expect(new Set(f.map((p) => p.phase.toFixed(6)))).toEqual(new Set([0, 2, 4].map((x) => ((x * Math.PI) / 3).toFixed(6))));
    expect(f.some((p) => p.kx === 0 && p.ky === 0)).toBe(false);
    const flipped = f.filter((p) => p.signs.some((s) => s < 0)).length / f.length;
    expect(flipped).toBeGreaterThan(0.3); // P(any sign negative | flip) = 7/8, P(flip) = 0.5
    expect(flipped).toBeLessThan(0.6);
    // Distinct frequencies equally represented: each frequency ring is drawn with probability
    // 1 / (number of rings), whether it holds 2 waves (the lowest) or dozens.
    const freq = (p: { kx: number; ky: number }) => Math.round(Math.hypot(p.kx, p.ky) * 1e6);
    const rings = new Set(
      waveVectors(32, 32)
        .filter((k) => k.kx || k.ky)
        .map(freq),
    );
    const lowest = f.filter((p) => freq(p) === 1e6).length / f.length;
    expect(lowest).toBeGreaterThan(0.5 / rings.size);
    expect(lowest).toBeLessThan(1.5 / rings.size);
  });
});

describe('Augmenter', () => {
  const strategy = strategies.AugSVF!;
  const augmenter = new Augmenter(strategy, registry, shape);
  const table = normalizationTable(strategy.mean, strategy.std);
  const src = imageAt(pixels, shape, 2);

  it('emits (clean, aug1, aug2) where the clean view is the normalised flip + crop', () => {
    const params = sampleParams(Rng.at(5, 'augment', 0, 2), strategy, shape, registry);
    const out = [0, 1, 2].map(() => new Float32Array(size));
    augmenter.apply(src, params, out);
    const base = createImage(32, 32, 3);
    flipCropInto(src, base, params.flip, params.dx, params.dy, 4);
    for (let i = 0; i < size; i++) expect(out[0]![i]).toBe(table[(i % 3) * 256 + base.data[i]!]);
    expect(out[1]).not.toEqual(out[2]);
  });

  it('mixes as (1 − m)·x + m·Σ w·chain(x) in normalised space', () => {
    const params: SampleParams = {
      flip: false,
      dx: 4,
      dy: 4,
      views: [null, { ws: [0.25, 0.25, 0.5], m: Math.fround(0.6), chains: [[{ op: 'invert', param: 3 }], [], [{ op: 'invert', param: 3 }]] }, null],
    };
    const reg = new Map(registry).set('invert', invert);
    const a = new Augmenter(
      defineStrategy({ name: 'inv', ops: ['invert'], modules: [{ module: 'test/fixtures/primitives/userPrimitives.ts', export: 'invert' }] }),
      reg,
      shape,
    );
    const out = [0, 1, 2].map(() => new Float32Array(size));
    a.apply(src, params, out);
    for (let i = 0; i < size; i += 97) {
      const x = table[(i % 3) * 256 + src.data[i]!]!;
      const inv = table[(i % 3) * 256 + 255 - src.data[i]!]!;
      expect(out[1]![i]).toBeCloseTo(0.4 * x + 0.6 * (0.25 * inv + 0.25 * x + 0.5 * inv), 5);
    }
  });

  it('replays recorded parameters to the same bytes', () => {
    const params = sampleParams(Rng.at(9, 'augment', 1, 2), strategy, shape, registry);
    const once = [0, 1, 2].map(() => new Float32Array(size));
    augmenter.apply(src, params, once);
    const replayed = [0, 1, 2].map(() => new Float32Array(size));
    augmenter.apply(src, JSON.parse(JSON.stringify(params)), replayed);
    expect(replayed).toEqual(once);
  });

  it('rejects a strategy naming an unknown primitive', () => {
    expect(() => new Augmenter({ ...strategies.AugS, name: 'x', ops: ['warp'] }, registry, shape)).toThrow(/unknown primitive 'warp'/);
  });
});

describe('augmentChunk', () => {
  const strategy = strategies.AugSVF!;
  const augmenter = new Augmenter(strategy, registry, shape);
  const views = viewCount(strategy);

  it('gives each sample the same bytes whatever chunk it is in', () => {
    const all = new Float32Array(views * 6 * size);
    augmentChunk({ pixels, shape, indices: Int32Array.of(0, 1, 2, 3, 4, 5), seed: 3, epoch: 2 }, augmenter, all, views);
    const part = new Float32Array(views * 2 * size);
    augmentChunk({ pixels, shape, indices: Int32Array.of(4, 1), seed: 3, epoch: 2 }, augmenter, part, views);
    for (let v = 0; v < views; v++) {
      expect(part.subarray(v * 2 * size, (v * 2 + 1) * size)).toEqual(all.subarray((v * 6 + 4) * size, (v * 6 + 5) * size));
      expect(part.subarray((v * 2 + 1) * size, (v * 2 + 2) * size)).toEqual(all.subarray((v * 6 + 1) * size, (v * 6 + 2) * size));
    }
  });

  it('changes with the epoch and the seed', () => {
    const run = (seed: number, epoch: number) => {
      const out = new Float32Array(views * size);
      augmentChunk({ pixels, shape, indices: Int32Array.of(3), seed, epoch }, augmenter, out, views);
      return out;
    };
    expect(run(1, 0)).toEqual(run(1, 0));
    expect(run(1, 1)).not.toEqual(run(1, 0));
    expect(run(2, 0)).not.toEqual(run(1, 0));
  });
});

describe('strategies', () => {
  it('name the paper sets', () => {
    expect(strategies.AugSV!.ops).toEqual([...primitiveSets.S, ...primitiveSets.V]);
    expect(strategies.AugSVF!.ops).toEqual([...primitiveSets.S, ...primitiveSets.V, 'fourier']);
    expect(strategies.Base!.ops).toEqual([]);
    expect(viewCount(strategies.Base!)).toBe(1);
    expect(viewCount(strategies.AugF!)).toBe(3);
  });

  it('reject invalid settings naming the key and value', () => {
    expect(() => defineStrategy({ name: 'bad', ops: ['rotate'], width: 0 })).toThrow("strategy 'bad': width = 0 is invalid");
    expect(() => defineStrategy({ name: 'bad', ops: [], jsd: true })).toThrow(/jsd/);
  });
});
