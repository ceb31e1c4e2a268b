// Run by teardown.test.ts in its own process: the process must exit once the stream is done.
import { take } from 'rxjs';
import { defineStrategy, strategies } from '../../src/ops/strategy.ts';
import { augment } from '../../src/streams/augment.ts';
import { batch } from '../../src/streams/batch.ts';
import { epochs } from '../../src/streams/epochs.ts';
import { makeDataset } from './helpers.ts';

const mode = process.argv[2];
const ds = makeDataset(300);
const strategy =
  mode === 'error'
    ? defineStrategy({ name: 'boom', ops: ['explode'], modules: [{ module: 'test/fixtures/primitives/userPrimitives.ts', export: 'explode' }] })
    : strategies.AugSVF!;
const stream = epochs(ds, { epochs: mode === 'complete' ? 1 : 50, seed: 0 }).pipe(augment(strategy, { workers: 2, chunkSize: 8 }), batch(16));
(mode === 'unsubscribe' ? stream.pipe(take(3)) : stream).subscribe({
  next: (b) => b.release(),
  error: (e: Error) => console.log(`ok ${mode}: ${e.message.slice(0, 40)}`),
  complete: () => console.log(`ok ${mode}`),
});
