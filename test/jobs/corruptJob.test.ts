import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { UsageError } from '../../src/pipeline/usageError.ts';
import { corruptEvents, planCorrupt, resolveCorruptions } from '../../src/jobs/corrupt.ts';
import { packageRoot } from '../../src/packageFiles.ts';
import { tmpDir } from '../data/tmpDir.ts';

// The job as a pipeline of one's own calls it: typed values in, pipeline events out, no CLI.
describe('the corrupt job', () => {
  const out = tmpDir('corrupt-job');

  it('plans from typed values and streams progress and one artifact per corruption', async () => {
    const plan = await planCorrupt(
      { input: 'data/cifar10-mini', output: out, split: 'test', corruptions: ['contrast', 'brightness'], seed: 3, workers: 0, limit: 4 },
      packageRoot,
    );
    expect(plan.dataset.count).toBe(4);
    expect(plan.corruptions).toEqual(['contrast', 'brightness']);
    const events = await lastValueFrom(corruptEvents(plan).pipe(toArray()));
    const artifacts = events.filter((e) => e.type === 'artifact').map((e) => (e.type === 'artifact' ? e.path : ''));
    expect(artifacts.sort()).toEqual([join(out, 'brightness.npy'), join(out, 'contrast.npy')]);
    const last = events.filter((e) => e.type === 'progress').at(-1);
    expect(last).toMatchObject({ stage: 'corrupt', done: 40, total: 40, unit: 'images' });
    expect(readdirSync(out).sort()).toEqual(['brightness.npy', 'contrast.npy', 'corrupt.json', 'labels.npy']);
    expect(JSON.parse(readFileSync(join(out, 'corrupt.json'), 'utf8'))).toMatchObject({ images: 4, seed: 3 });
  });

  it('refuses an unknown corruption with the nearest name, as a usage error', () => {
    expect(() => resolveCorruptions(['gausian_noise'])).toThrow(UsageError);
    expect(() => resolveCorruptions(['gausian_noise'])).toThrow(/did you mean gaussian_noise/);
    expect(resolveCorruptions(['all']).length).toBe(19);
  });
});
