import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { concat, defer, lastValueFrom, mergeMap, of, toArray } from 'rxjs';
import { event } from '../../src/pipeline/events.ts';
import { param, z } from '../../src/pipeline/params.ts';
import { definePipeline } from '../../src/pipeline/pipeline.ts';
import { prepareRun } from '../../src/pipeline/startRun.ts';
import { tmpDir } from '../data/tmpDir.ts';

const dir = tmpDir('start-run');
const config = (out: string): Record<string, unknown> => JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as Record<string, unknown>;

describe('prepareRun and recorded facts', () => {
  it("keeps a record event's value in config.json, whether it comes before or after the first write", async () => {
    let afterFirstWrite: Record<string, unknown> | null = null;
    const out = join(dir, 'a');
    const pipeline = definePipeline({
      name: 'recorder',
      description: 'records facts',
      params: z.object({ n: param.int({ default: 2, min: 1, help: 'n' }) }),
      run: () =>
        concat(
          of(event.record('backend', { name: 'wasm' }), event.progress('work', 1, 2, 'items')),
          // Once the first progress has written config.json, a later fact is added to it.
          defer(async () => {
            while (!existsSync(join(out, 'config.json'))) await new Promise((r) => setTimeout(r, 5));
            afterFirstWrite = config(out);
          }).pipe(mergeMap(() => of(event.record('device', 'late'), event.progress('work', 2, 2, 'items')))),
        ),
    });
    const run = prepareRun(pipeline, 'pipelines/recorder.ts', { n: 3 }, { cwd: dir, defaultRunDir: out });
    const events = await lastValueFrom(run.events.pipe(toArray()));
    expect(events.filter((e) => e.type === 'record').map((e) => (e.type === 'record' ? e.key : ''))).toEqual(['backend', 'device']);
    expect(afterFirstWrite).toMatchObject({ pipeline: 'recorder', params: { n: 3 }, backend: { name: 'wasm' } });
    expect(afterFirstWrite!.device).toBeUndefined();
    const final = config(out);
    expect(final).toMatchObject({ pipeline: 'recorder', params: { n: 3 }, backend: { name: 'wasm' }, device: 'late' });
    expect(final.startedAt).toBe(afterFirstWrite!.startedAt);
  });
});
