import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, join, relative } from 'node:path';
import { concat, defer, filter, mergeMap, tap, type Observable } from 'rxjs';
import { z } from 'zod';
import { corruptEvents, planCorrupt } from '../src/jobs/corrupt.ts';
import { event, type PipelineEvent } from '../src/pipeline/events.ts';
import { resolveDataDir } from '../src/jobs/loadDataset.ts';
import { param } from '../src/pipeline/params.ts';
import { shared } from '../src/pipeline/sharedParams.ts';
import { definePipeline, type Pipeline, type PipelineContext } from '../src/pipeline/pipeline.ts';
import { prepareRun } from '../src/pipeline/startRun.ts';
import { writeFileAtomic } from '../src/data/atomic.ts';
import { type BackendName, type BackendSelection, selectBackend } from '../src/model/backend.ts';
import { backendEvents } from '../src/jobs/backendEvents.ts';
import { CORRUPTIONS } from '../src/ops/corruptions/registry.ts';
import { strategies } from '../src/ops/strategy.ts';
import { loadStrategies } from '../src/streams/loadStrategy.ts';
import { mainReport, mainRows, sliceKeys } from '../src/report/mainReport.ts';
import paper from './paper.ts';
import preview from './preview.ts';
import profileDatapath from './profile-datapath.ts';
import { percent } from '../src/report/percent.ts';

/**
 * Default epochs by backend speed, so the job takes minutes on a small CPU machine either way
 * (docs/benchmarks.md has the times). At 2 epochs a WRN-16-1 is barely trained and the strategies
 * differ only in their rise under the attack; at 10 the paper's direction is plain (AugSVF below
 * Base under every attack slice, CIFAR-C too).
 */
const FAST_BACKENDS: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'native'];
const isFast = (s: BackendSelection): boolean => FAST_BACKENDS.includes(s.name) || (s.adapter !== undefined && !s.adapter.software);
const FAST_EPOCHS = 10;
const SLOW_EPOCHS = 2;

/**
 * Runs a child pipeline into `<runDir>/<sub>/`, keeping its summary lines for the final summary.
 * Its profile snapshots are dropped: the display would keep showing the last one for the rest of
 * the run (report.md has the profile).
 */
function child(
  pipeline: Pipeline,
  file: string,
  sub: string,
  params: Record<string, unknown>,
  ctx: PipelineContext,
  summary: string[],
): Observable<PipelineEvent> {
  return defer(() => {
    const run = prepareRun(pipeline, file, { ...params, out: join(ctx.runDir, sub) }, { cwd: ctx.cwd, ...(ctx.signal ? { signal: ctx.signal } : {}) });
    return run.events.pipe(
      tap((e) => void (e.type === 'summary' && summary.push(...e.lines))),
      filter((e) => e.type !== 'summary' && e.type !== 'profile'),
    );
  });
}

const params = z.object({
  data: shared.data('CIFAR-10/100 binary folder'),
  strategies: param.strategies({
    default: ['Base', 'AugSVF'],
    help: 'strategies to train and compare: built-ins or strategy modules (add AugSV if time allows)',
  }),
  seed: shared.seed('seed of everything: init, shuffles, augmentations, corruptions, attack signs'),
  depth: shared.depth(16, 'WRN depth (the paper: 40)'),
  widen: shared.widen(1, 'WRN width (the paper: 2)'),
  epochs: param.optionalInt({
    min: 1,
    help: `training epochs (the paper: 100); default ${FAST_EPOCHS} on a fast backend (${FAST_BACKENDS.join(', ')}, webgpu on a GPU), ${SLOW_EPOCHS} on wasm, cpu or a software GPU`,
  }),
  batchSize: param.int({ default: 64, min: 1, help: 'training batch size (the paper: 128)' }),
  cImages: param.int({ default: 300, min: 1, help: 'test images the corruption benchmark is made of' }),
  fourierImages: param.int({ default: 300, min: 1, help: 'test images under the Fourier attack' }),
  norms: param.intList({ default: [2, 4], min: 0, help: 'ℓ2 norms of the attack' }),
  kStep: shared.kStepFrom(4),
  workers: shared.workers,
  limit: param.optionalInt({ min: 2, help: 'only the first N train and test images (quick trials); default all' }),
  jobs: param.int({ default: Math.min(2, availableParallelism()), min: 1, max: 64, help: 'strategies trained and evaluated at once, each in its own process' }),
  backend: shared.backend,
  threads: shared.threads,
  runtime: shared.runtime,
});

export default definePipeline({
  name: 'main',
  description:
    'What `npm start` runs: train Base and AugSVF on the bundled data, test them clean, on a CIFAR-10-C made from the test images and under the Fourier attack, then report.md',
  params,
  // The backend is chosen here, once, so that the default epochs can follow it and every child
  // process trains and evaluates on the same one.
  run: (p, ctx) =>
    defer(() => Promise.all([selectBackend(p.backend, { threads: p.threads }), loadStrategies(p.strategies, ctx.cwd)])).pipe(
      mergeMap(([selected, loaded]) =>
        concat(
          backendEvents(selected),
          job(
            { ...p, backend: selected.name, epochs: p.epochs ?? (isFast(selected) ? FAST_EPOCHS : SLOW_EPOCHS) },
            loaded.map((s) => s.name),
            ctx,
          ),
        ),
      ),
    ),
});

type MainParams = z.infer<typeof params>;

function job(p: MainParams & { epochs: number; backend: BackendName }, names: readonly string[], ctx: PipelineContext): Observable<PipelineEvent> {
  const summary: string[] = [];
  const t0 = performance.now();
  const dataName = basename(resolveDataDir(p.data, ctx.cwd));
  const cFolder = join(ctx.runDir, `${dataName}-c`);
  const study = join(ctx.runDir, 'study');
  const runs = names.map((s) => join(study, dataName, s));
  const setup =
    `${names.join(' and ')} on ${dataName}: WRN-${p.depth}-${p.widen}, ${p.epochs} epochs on ${p.backend}, batch ${p.batchSize}, seed ${p.seed}; ` +
    `corruption benchmark of ${p.cImages} test images; Fourier attack on ${p.fourierImages} test images at norms ${p.norms.join(', ')}, both alignments, ` +
    `${p.kStep > 1 ? `waves with kx, ky multiples of ${p.kStep}` : 'every wave'}.`;
  // Made once: a rerun (e.g. after an interruption) keeps a complete benchmark made the same way.
  const corrupt = defer(() => {
    const made = join(cFolder, 'corrupt.json');
    const was = existsSync(made)
      ? (JSON.parse(readFileSync(made, 'utf8')) as { complete?: boolean; images?: number; seed?: number; corruptions?: string[] })
      : null;
    if (was && was.complete !== false && was.images === p.cImages && was.seed === p.seed && was.corruptions?.length === CORRUPTIONS.size)
      return [event.log(`main: keeping ${cFolder}`)];
    return defer(() => planCorrupt({ input: p.data, output: cFolder, split: 'test', seed: p.seed, limit: p.cImages, workers: p.workers }, ctx.cwd)).pipe(
      mergeMap((plan) => corruptEvents(plan)),
      filter((e) => e.type !== 'summary'),
    );
  });
  const studyParams = {
    datasets: [p.data],
    cifarC: [cFolder],
    strategies: p.strategies,
    seeds: [p.seed],
    depth: p.depth,
    widen: p.widen,
    epochs: p.epochs,
    batchSize: p.batchSize,
    holdout: 0,
    norms: p.norms,
    fourierImages: p.fourierImages,
    kStep: p.kStep,
    backend: p.backend,
    runtime: p.runtime,
    jobs: p.jobs,
    ...(p.limit === undefined ? {} : { limit: p.limit }),
    workers: p.workers,
    threads: p.threads,
  };
  return concat(
    child(
      preview,
      'pipelines/preview.ts',
      'preview',
      { data: p.data, seed: p.seed, strategies: [...new Set([...Object.keys(strategies), ...p.strategies])] },
      ctx,
      summary,
    ),
    child(profileDatapath, 'pipelines/profile-datapath.ts', 'profile', { data: p.data, seed: p.seed, epochs: 1, workers: p.workers }, ctx, []),
    corrupt,
    child(paper, 'pipelines/paper.ts', 'study', studyParams, ctx, []),
    defer(async () => {
      const path = join(ctx.runDir, 'report.md');
      const studyReport = join(study, 'report', 'report.md');
      await writeFileAtomic(path, await mainReport(ctx.runDir, runs, existsSync(studyReport) ? studyReport : null, setup));
      const rows = await mainRows(runs);
      const slices = sliceKeys(rows);
      const w = Math.max(8, ...rows.map((r) => r.strategy.length));
      const shown = (f: string): string => (relative(ctx.cwd, f).startsWith('..') ? f : relative(ctx.cwd, f));
      return [
        event.artifact(path, 'the report: results table, heatmaps, preview, profile'),
        event.summary([
          `main: ${setup}`,
          `${'strategy'.padEnd(w)}  test err  calib   C err  unperturbed ${slices.map((k) => `Fourier ${k}`.padStart(22)).join('')}`,
          ...rows.map(
            (r) =>
              `${r.strategy.padEnd(w)}  ${percent(r.testError).padStart(8)}  ${percent(r.testCalibration).padStart(5)}  ${percent(r.cError).padStart(6)}  ${percent(r.attackClean).padStart(11)} ${slices.map((k) => percent(r.fourier.get(k)).padStart(22)).join('')}`,
          ),
          `${((performance.now() - t0) / 60000).toFixed(1)} min; open ${shown(path)}`,
        ]),
      ];
    }).pipe(mergeMap((events) => events)),
  );
}
