import { concat, firstValueFrom, lastValueFrom, map, toArray } from 'rxjs';
import { defineStrategy, strategies } from '../../src/ops/strategy.ts';
import { permutation } from '../../src/ops/permutation.ts';
import { augment } from '../../src/streams/augment.ts';
import { batch } from '../../src/streams/batch.ts';
import type { AugmentedChunk } from '../../src/streams/chunk.ts';
import { epochs } from '../../src/streams/epochs.ts';
import { createAugmentPool } from '../../src/streams/pool.ts';
import { Profiler } from '../../src/streams/profiler.ts';
import { bySample, collect, makeDataset } from './helpers.ts';

const ds = makeDataset(40);
const per = 32 * 32 * 3;
const userModule = 'test/fixtures/primitives/userPrimitives.ts';

describe('augment + batch', () => {
  it('gives identical bytes in-process and on 1 or 2 workers, whatever the chunk and batch size', async () => {
    const run = (workers: number, chunkSize: number, size: number) =>
      collect(epochs(ds, { epochs: 2, seed: 11 }).pipe(augment(strategies.AugSVF!, { workers, chunkSize, credits: 8 }), batch(size)));
    const ref = bySample(await run(0, 7, 10), per);
    expect(ref.size).toBe(80);
    for (const [w, c, b] of [
      [1, 16, 32],
      [2, 5, 13],
    ] as const) {
      const got = bySample(await run(w, c, b), per);
      expect([...got.keys()].sort()).toEqual([...ref.keys()].sort());
      for (const [k, v] of ref) expect(got.get(k)).toEqual(v);
    }
  });

  it('augments plans of different image shapes in one stream as it does each alone (reused output buffers fit)', async () => {
    const small = makeDataset(12, 16, 16);
    const run = (...sets: (typeof ds)[]) =>
      collect(
        concat(...sets.map((d) => epochs(d, { epochs: 1, seed: 5 }))).pipe(augment(strategies.AugS!, { workers: 1, chunkSize: 4, credits: 4 }), batch(4)),
      );
    const mixed = await run(small, ds, small);
    // All three plans are epoch 0: batch order tells them apart (3 batches of 16x16, 10 of 32x32, 3 of 16x16).
    const pixels = (b: { data: Float32Array }) => b.data.length / (3 * 4);
    expect(mixed.map(pixels)).toEqual([...Array(3).fill(16 * 16 * 3), ...Array(10).fill(per), ...Array(3).fill(16 * 16 * 3)]);
    const alone = await run(ds);
    expect(mixed.slice(3, 13).map((b) => [...b.data])).toEqual(alone.map((b) => [...b.data]));
  });

  it('emits batches in epoch order, with each epoch shuffled by its own seed and labels matching', async () => {
    const got = await collect(epochs(ds, { epochs: 2, seed: 4 }).pipe(augment(strategies.Base!, { workers: 1, chunkSize: 8 }), batch(16)));
    expect(got.map((b) => [b.epoch, b.index, b.size])).toEqual([
      [0, 0, 16],
      [0, 1, 16],
      [0, 2, 8],
      [1, 0, 16],
      [1, 1, 16],
      [1, 2, 8],
    ]);
    const order0 = got.filter((b) => b.epoch === 0).flatMap((b) => b.indices);
    const order1 = got.filter((b) => b.epoch === 1).flatMap((b) => b.indices);
    expect(order0).toEqual([...permutation(40, 4, 0)]);
    expect(order1).toEqual([...permutation(40, 4, 1)]);
    expect(order1).not.toEqual(order0);
    for (const b of got) b.indices.forEach((idx, i) => expect(b.labels[i]).toBe(ds.labels[idx]));
  });

  it('delivers the last batch when its handler releases it synchronously (no completion mid-emission)', async () => {
    const sizes = await lastValueFrom(
      epochs(ds, { epochs: 1, seed: 0 }).pipe(
        augment(strategies.Base!, { workers: 0, chunkSize: 8 }),
        batch(8),
        map((b) => (b.release(), b.size)),
        toArray(),
      ),
    );
    expect(sizes).toEqual([8, 8, 8, 8, 8]);
  });

  it('drops the short last batch of each epoch with dropLast', async () => {
    const got = await collect(epochs(ds, { epochs: 1, seed: 0 }).pipe(augment(strategies.Base!, { workers: 0, chunkSize: 16 }), batch(16, { dropLast: true })));
    expect(got.map((b) => b.size)).toEqual([16, 16]);
  });

  it('records sampled parameters that replay to the same bytes', async () => {
    const recorded = await collect(epochs(ds, { epochs: 1, seed: 2 }).pipe(augment(strategies.AugSV!, { workers: 0, record: true }), batch(40)));
    const chunks = await lastValueFrom(epochs(ds, { epochs: 1, seed: 2 }).pipe(augment(strategies.AugSV!, { workers: 1, record: true }), toArray()));
    const params = new Map<number, unknown>();
    chunks.forEach((c) => {
      c.indices.forEach((idx, i) => params.set(idx, c.params![i]));
      c.release();
    });
    const replay = (_epoch: number, index: number) => JSON.parse(JSON.stringify(params.get(index)));
    // A different seed: only the replayed parameters can make the bytes match.
    const replayed = await collect(epochs(ds, { epochs: 1, seed: 99 }).pipe(augment(strategies.AugSV!, { workers: 1, replay }), batch(40)));
    expect(bySample(replayed, per)).toEqual(bySample(recorded, per));
  });

  it('runs user-written primitives in the workers exactly as in-process', async () => {
    const s = defineStrategy({ name: 'inv', ops: ['invert', 'rotate'], modules: [{ module: userModule, export: 'invert' }] });
    const inproc = bySample(await collect(epochs(ds, { epochs: 1, seed: 1 }).pipe(augment(s, { workers: 0 }), batch(20))), per);
    const pooled = bySample(await collect(epochs(ds, { epochs: 1, seed: 1 }).pipe(augment(s, { workers: 2, chunkSize: 6 }), batch(20))), per);
    expect(pooled).toEqual(inproc);
  });

  it('reports a worker error to the subscriber with the strategy, epoch, chunk and samples', async () => {
    const s = defineStrategy({ name: 'boom', ops: ['explode'], modules: [{ module: userModule, export: 'explode' }] });
    const run = firstValueFrom(epochs(ds, { epochs: 1, seed: 0 }).pipe(augment(s, { workers: 1, chunkSize: 8 })));
    await expect(run).rejects.toThrow(/augment\(boom\): worker failed on epoch 0, chunk 0 \(samples 0\.\.7 of synthetic\): explode: deliberate failure/);
  });

  it('says which module export is not a primitive', async () => {
    const s = defineStrategy({ name: 'bad', ops: ['nope'], modules: [{ module: userModule, export: 'notAPrimitive' }] });
    await expect(firstValueFrom(epochs(ds, { epochs: 1, seed: 0 }).pipe(augment(s, { workers: 0 })))).rejects.toThrow(
      /userPrimitives\.ts: export 'notAPrimitive' is not a primitive/,
    );
  });

  it('stops dispatching when the consumer holds every credit, and resumes on release', async () => {
    const big = makeDataset(400);
    const held: AugmentedChunk[] = [];
    const profiler = new Profiler();
    let done = false;
    const sub = epochs(big, { epochs: 3, seed: 0 })
      .pipe(augment(strategies.AugSV!, { workers: 1, chunkSize: 8, credits: 4, profiler }))
      .subscribe({
        next: (c) => held.push(c),
        complete: () => (done = true),
      });
    for (let t = 0; t < 200 && held.length < 4; t++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500)); // time enough for more, had credits allowed
    expect(held).toHaveLength(4);
    expect(profiler.snapshot().gauges.find((g) => g.name === 'augment.credits')!.max).toBeLessThanOrEqual(4);
    // Release them one at a time with a slow consumer: progress continues, never more than 4 held.
    let maxHeld = held.length;
    while (!done) {
      const c = held.shift();
      c?.release();
      await new Promise((r) => setTimeout(r, 1));
      maxHeld = Math.max(maxHeld, held.length);
    }
    expect(maxHeld).toBeLessThanOrEqual(4);
    sub.unsubscribe();
  });

  it('leaves a caller-owned pool running after unsubscribe', async () => {
    const pool = createAugmentPool(1);
    try {
      const first = await firstValueFrom(epochs(ds, { epochs: 1, seed: 0 }).pipe(augment(strategies.AugS!, { workers: pool, chunkSize: 4 })));
      first.release();
      const again = await firstValueFrom(epochs(ds, { epochs: 1, seed: 0 }).pipe(augment(strategies.AugS!, { workers: pool, chunkSize: 4 })));
      expect(again.data).toEqual(first.data);
      again.release();
    } finally {
      await pool.destroy();
    }
  });

  it('refuses a batch size the credits cannot fill', async () => {
    const run = firstValueFrom(epochs(ds, { epochs: 1, seed: 0 }).pipe(augment(strategies.Base!, { workers: 0, chunkSize: 4, credits: 3 }), batch(16)));
    await expect(run).rejects.toThrow('batch(16) needs 4 chunks of 4 at once but augment allows 3; raise credits or chunkSize');
  });
});

describe('epochs', () => {
  it('restricted to some indices gives those samples the augmentations of a full run', async () => {
    const full = bySample(await collect(epochs(ds, { epochs: 2, seed: 6 }).pipe(augment(strategies.AugSVF!, { workers: 0 }), batch(40))), per);
    const part = bySample(
      await collect(epochs(ds, { epochs: 2, seed: 6, indices: [31, 2, 17] }).pipe(augment(strategies.AugSVF!, { workers: 0 }), batch(40))),
      per,
    );
    expect([...part.keys()].sort()).toEqual(['0:17', '0:2', '0:31', '1:17', '1:2', '1:31']);
    for (const [k, v] of part) expect(v).toEqual(full.get(k));
  });

  it('rejects an index outside the dataset, naming it', () => {
    expect(() => epochs(ds, { epochs: 1, seed: 0, indices: [3, 40] })).toThrow('epochs: index 40 is outside synthetic [0, 40)');
  });
});
