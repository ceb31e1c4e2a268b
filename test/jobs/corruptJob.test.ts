import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lastValueFrom, takeWhile, toArray } from 'rxjs';
import { UsageError } from '../../src/pipeline/usageError.ts';
import { checkCorruptRecord, corruptEvents, planCorrupt, resolveCorruptions } from '../../src/jobs/corrupt.ts';
import { cli } from '../cli/io.ts';
import { packageRoot } from '../../src/packageFiles.ts';
import { tmpDir } from '../data/tmpDir.ts';

const MODEL = join(packageRoot, 'test/fixtures/onnx/wrn-10-1.onnx');

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

  it('leaves an interrupted run marked unfinished, and the CIFAR-C evaluation refuses it', async () => {
    const cut = join(out, 'cut');
    const plan = await planCorrupt(
      { input: 'data/cifar10-mini', output: cut, split: 'test', corruptions: ['contrast', 'brightness'], seed: 3, workers: 0, limit: 4 },
      packageRoot,
    );
    // Stop as soon as the first corruption is written (an interrupt, a crash).
    await lastValueFrom(corruptEvents(plan).pipe(takeWhile((e) => e.type !== 'artifact', true)));
    expect(JSON.parse(readFileSync(join(cut, 'corrupt.json'), 'utf8'))).toMatchObject({
      complete: false,
      planned: ['contrast', 'brightness'],
      corruptions: ['contrast'],
    });
    expect(() => checkCorruptRecord(cut)).toThrow(UsageError);
    const r = await cli(['run', 'eval-cifar10c', `model=${MODEL}`, `cifarC=${cut}`, `out=${join(out, 'eval')}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${cut}: an unfinished \`corrupt\` run (1 of 2 corruptions written; missing brightness); run \`corrupt\` into it again`);
    // Finished, the record says so and the folder is accepted.
    await lastValueFrom(corruptEvents(plan).pipe(toArray()));
    expect(JSON.parse(readFileSync(join(cut, 'corrupt.json'), 'utf8'))).toMatchObject({ complete: true, corruptions: ['contrast', 'brightness'] });
    expect(() => checkCorruptRecord(cut)).not.toThrow();
  });

  it('refuses an unknown corruption with the nearest name, as a usage error', () => {
    expect(() => resolveCorruptions(['gausian_noise'])).toThrow(UsageError);
    expect(() => resolveCorruptions(['gausian_noise'])).toThrow(/did you mean gaussian_noise/);
    expect(resolveCorruptions(['all']).length).toBe(19);
  });
});
