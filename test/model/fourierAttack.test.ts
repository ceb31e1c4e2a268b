import * as tf from '@tensorflow/tfjs-core';
import { lastValueFrom, take, tap, toArray } from 'rxjs';
import { selectBackend } from '../../src/model/backend.ts';
import { attackCells, type CellResult, evaluateCell } from '../../src/model/fourierAttack.ts';
import { evaluateClean } from '../../src/model/evaluateClean.ts';
import { normalizeBatch, perturbBatch, tensorCleanSet } from '../../src/model/tfjsClassifier.ts';
import { createWrn, type Wrn } from '../../src/model/wrn.ts';
import { fourierBasis } from '../../src/ops/fourierBasis.ts';
import { flipSignsInto, fourierGrid } from '../../src/ops/fourierGrid.ts';
import { perturbFloatInto } from '../../src/ops/fourierPerturb.ts';
import { normalizationTable, normalizeInto } from '../../src/ops/normalize.ts';
import { fourierCells } from '../../src/streams/fourierCells.ts';
import { makeDataset } from '../streams/helpers.ts';

const ds = makeDataset(24, 16, 16);
const norm = { mean: [0.5, 0.4, 0.3], std: [0.25, 0.5, 0.2] };
let net: Wrn;
const createCleanSet = (batchSize: number) => tensorCleanSet(net, norm, ds, batchSize);

beforeAll(async () => {
  await selectBackend('wasm');
  net = createWrn({ depth: 10, widen: 1, classes: 10, seed: 2 });
});
afterAll(() => net.dispose());

describe('perturbation on the tensor backend', () => {
  it.each(['aligned', 'random-flip'] as const)('equals perturbFloatInto bit for bit (%s), batched, and leaves no tensor', async (alignment) => {
    const before = tf.memory().numTensors;
    const clean = createCleanSet(10);
    const k = { kx: 3, ky: -7 };
    const u = fourierBasis({ height: 16, width: 16, ...k, phase: 1.5 * Math.PI, norm: 4 });
    const basis = tf.tensor4d(u, [1, 16, 16, 1]);
    for (const b of clean.batches) {
      const n = b.indices.length;
      const signs = new Float32Array(n * 3).fill(1);
      if (alignment === 'random-flip') flipSignsInto(5, k, 16, 16, b.indices, 3, signs);
      const s = alignment === 'aligned' ? null : tf.tensor4d(signs, [n, 1, 1, 3]);
      const got = perturbBatch(b.images, basis, s);
      const values = got.dataSync() as Float32Array;
      got.dispose();
      s?.dispose();
      b.indices.forEach((img, i) => {
        const src = Float32Array.from(ds.pixels.subarray(img * 768, (img + 1) * 768), (v) => v / 255);
        const want = new Float32Array(768);
        perturbFloatInto(src, want, u, [...signs.subarray(i * 3, i * 3 + 3)]);
        expect(values.subarray(i * 768, (i + 1) * 768)).toEqual(want);
      });
    }
    basis.dispose();
    clean.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("normalises like the data path's tables (v/255 − mean)/std in float32", () => {
    const clean = createCleanSet(24);
    const got = normalizeBatch(clean.batches[0]!.images, norm);
    const want = new Float32Array(ds.pixels.length);
    normalizeInto(ds.pixels, want, normalizationTable(norm.mean, norm.std), 3);
    expect(got.dataSync()).toEqual(want);
    got.dispose();
    clean.dispose();
  });
});

describe('evaluateCell', () => {
  const cells = fourierGrid({ height: 16, width: 16, phaseFactors: [0.75], convention: 'paper', norms: [3], alignments: ['aligned', 'random-flip'], maxK: 1 });

  it('gives the same figures for any batch size (signs keyed by image, not by batch), and leaks nothing', async () => {
    const before = tf.memory().numTensors;
    const results: CellResult[][] = [];
    for (const batchSize of [24, 5]) {
      const clean = createCleanSet(batchSize);
      results.push(await lastValueFrom(fourierCells(cells).pipe(attackCells(clean, { seed: 3 }), toArray())));
      clean.dispose();
    }
    const strip = (rs: CellResult[]) => rs.map(({ seconds: _s, ...r }) => r);
    expect(strip(results[1]!)).toEqual(strip(results[0]!));
    expect(results[0]!.map((r) => r.cell.key)).toEqual(cells.map((c) => c.key));
    expect(results[0]!.every((r) => r.count === 24 && r.error >= 0 && r.error <= 1 && Number.isFinite(r.loss))).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('at φ = 3π/2 the zero-frequency wave is all zeros, so its cell equals the clean evaluation', async () => {
    const clean = createCleanSet(8);
    const dc = cells.find((c) => c.kx === 0 && c.ky === 0 && c.alignment === 'random-flip')!;
    const { cell: _c, seconds: _s, ...r } = (await evaluateCell(clean, dc, { seed: 0 }))!;
    expect(r).toEqual(await evaluateClean(clean));
    clean.dispose();
  });

  it('lets the event loop run between cells, so each result can be written as it finishes (regression: a grid starved I/O)', async () => {
    const clean = createCleanSet(24);
    let ticks = 0;
    let handle: NodeJS.Immediate;
    const tick = (): void => {
      ticks++;
      handle = setImmediate(tick);
    };
    tick();
    const seen: number[] = [];
    await lastValueFrom(
      fourierCells(cells.slice(0, 3)).pipe(
        attackCells(clean, { seed: 3 }),
        tap(() => seen.push(ticks)),
        toArray(),
      ),
    );
    clearImmediate(handle!);
    clean.dispose();
    expect(seen[1]!).toBeGreaterThan(seen[0]!);
    expect(seen[2]!).toBeGreaterThan(seen[1]!);
  });

  it('stops between batches when unsubscribed', async () => {
    const before = tf.memory().numTensors;
    const clean = createCleanSet(4);
    const got = await lastValueFrom(fourierCells(cells).pipe(attackCells(clean, { seed: 3 }), take(1), toArray()));
    expect(got).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 50));
    clean.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
