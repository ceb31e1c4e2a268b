import { strategies } from '../../src/ops/strategy.ts';
import type { AugmentTask } from '../../src/streams/augmentTask.ts';
import { createAugmentPool } from '../../src/streams/pool.ts';
import { makeDataset } from './helpers.ts';

const ds = makeDataset(8);
const task = (i: number): AugmentTask => ({
  pixels: ds.pixels,
  shape: ds.shape,
  indices: Int32Array.of(i),
  seed: 3,
  epoch: 0,
  strategy: strategies.AugS!,
  views: 3,
  out: new ArrayBuffer(3 * 32 * 32 * 3 * 4),
  record: false,
});

describe('createAugmentPool', () => {
  it('keeps two tasks per thread; an abort rejects the waiting ones and lets those on the thread finish', async () => {
    const pool = createAugmentPool(1);
    try {
      const abort = new AbortController();
      const runs = [0, 1, 2, 3].map((i) => pool.run(task(i), abort.signal));
      expect(pool.queued()).toBe(2);
      abort.abort(new Error('stop'));
      const settled = await Promise.allSettled(runs);
      expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'rejected']);
      expect((settled[2] as PromiseRejectedResult).reason.message).toBe('stop');
      // The thread survived the abort (Piscina would have killed one running an aborted task).
      const again = await pool.run(task(0), new AbortController().signal);
      expect(new Float32Array(again.out)).toEqual(new Float32Array((settled[0] as PromiseFulfilledResult<{ out: ArrayBuffer }>).value.out));
    } finally {
      await pool.destroy();
    }
  });

  it('rejects a task run on an aborted signal, and waiting tasks when destroyed', async () => {
    const pool = createAugmentPool(1);
    const aborted = AbortSignal.abort(new Error('already'));
    await expect(pool.run(task(0), aborted)).rejects.toThrow('already');
    const signal = new AbortController().signal;
    const settled = Promise.allSettled([0, 1, 2].map((i) => pool.run(task(i), signal)));
    await pool.destroy();
    const [, , waiting] = await settled;
    expect((waiting as PromiseRejectedResult).reason.message).toBe('augment pool destroyed');
  });
});
