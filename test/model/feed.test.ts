import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { lastValueFrom, toArray } from 'rxjs';
import { toTensors } from '../../src/model/feed.ts';
import { strategies } from '../../src/ops/strategy.ts';
import { augment } from '../../src/streams/augment.ts';
import { batch } from '../../src/streams/batch.ts';
import { epochs } from '../../src/streams/epochs.ts';
import { makeDataset } from '../streams/helpers.ts';

beforeAll(async () => {
  tf.env().set('IS_TEST', true); // no "install tfjs-node" banner in test logs
  await tf.setBackend('cpu');
});

describe('toTensors', () => {
  const ds = makeDataset(20);

  it('stacks the views along the batch axis with int32 labels, and leaks no tensor', async () => {
    const before = tf.memory().numTensors;
    const got = await lastValueFrom(
      epochs(ds, { epochs: 1, seed: 0 }).pipe(augment(strategies.AugSV!, { workers: 0, chunkSize: 8 }), batch(8), toTensors(), toArray()),
    );
    expect(got.map((b) => b.images.shape)).toEqual([
      [24, 32, 32, 3],
      [24, 32, 32, 3],
      [12, 32, 32, 3],
    ]);
    expect(got[0]!.labels.dtype).toBe('int32');
    const labels = await got[2]!.labels.data();
    expect([...labels]).toHaveLength(4);
    for (const b of got) b.dispose();
    for (const b of got) b.dispose(); // idempotent
    expect(tf.memory().numTensors).toBe(before);
  });

  it('holds the batch credit until the tensors are disposed', async () => {
    const held: { dispose(): void }[] = [];
    let done = false;
    const sub = epochs(makeDataset(64), { epochs: 1, seed: 0 })
      .pipe(augment(strategies.Base!, { workers: 0, chunkSize: 8, credits: 2 }), batch(8), toTensors())
      .subscribe({ next: (b) => held.push(b), complete: () => (done = true) });
    await new Promise((r) => setTimeout(r, 200));
    expect(held).toHaveLength(2);
    while (!done) {
      held.shift()?.dispose();
      await new Promise((r) => setTimeout(r, 5));
    }
    held.forEach((b) => b.dispose());
    sub.unsubscribe();
  });
});
