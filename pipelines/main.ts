import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { concat, defer, filter, mergeMap, tap, type Observable } from 'rxjs';
import { z } from 'zod';
import { event, type PipelineEvent } from '../src/cli/events.ts';
import { param } from '../src/cli/params.ts';
import { definePipeline, type PipelineContext } from '../src/cli/pipeline.ts';
import { prepareRun } from '../src/cli/startRun.ts';
import { writeFileAtomic } from '../src/data/atomic.ts';
import { mainReport } from '../src/report/mainReport.ts';
import preview from './preview.ts';
import profileDatapath from './profile-datapath.ts';

/** Runs a child pipeline into `<runDir>/<sub>/`, collecting its summary lines instead of passing them on. */
function child(spec: { pipeline: typeof preview | typeof profileDatapath; file: string; sub: string; params: Record<string, unknown> }, ctx: PipelineContext, summary: string[]): Observable<PipelineEvent> {
  return defer(() => {
    const run = prepareRun(spec.pipeline, spec.file, spec.params, { cwd: ctx.cwd, defaultRunDir: join(ctx.runDir, spec.sub), ...(ctx.signal ? { signal: ctx.signal } : {}) });
    return run.events.pipe(
      tap((e) => void (e.type === 'summary' && summary.push(...e.lines))),
      filter((e) => e.type !== 'summary'),
    );
  });
}

export default definePipeline({
  name: 'main',
  description: 'What `npm start` runs: the augmentation preview, then one profiled epoch of the bundled train split, and report.md',
  params: z.object({
    data: param.string({ default: 'data/cifar10-mini', help: 'CIFAR-10/100 binary folder' }),
    seed: param.int({ default: 0, min: 0, help: 'augmentation and shuffle seed' }),
    workers: param.int({ default: availableParallelism(), min: 0, max: 256, help: 'worker threads for the profiled epoch' }),
  }),
  run: (p, ctx) => {
    const summary: string[] = [];
    return concat(
      child({ pipeline: preview, file: 'pipelines/preview.ts', sub: 'preview', params: { data: p.data, seed: p.seed } }, ctx, summary),
      child({ pipeline: profileDatapath, file: 'pipelines/profile-datapath.ts', sub: 'profile', params: { data: p.data, seed: p.seed, workers: p.workers, epochs: 1 } }, ctx, summary),
      defer(async () => {
        const path = join(ctx.runDir, 'report.md');
        await writeFileAtomic(path, await mainReport(ctx.runDir));
        const shown = (f: string): string => (relative(ctx.cwd, f).startsWith('..') ? f : relative(ctx.cwd, f));
        return [
          event.artifact(path, 'report linking the preview and the profile'),
          event.summary([
            ...summary,
            `open ${shown(path)} (report), ${shown(join(ctx.runDir, 'preview', 'preview.png'))} (augmentations), ${shown(join(ctx.runDir, 'profile', 'profile.md'))} (throughput)`,
          ]),
        ];
      }).pipe(mergeMap((events) => events)),
    );
  },
});
