import { mkdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { concat, defer, from, mergeAll, mergeMap, type Observable } from 'rxjs';
import { z } from 'zod';
import { childRun } from '../src/pipeline/childRun.ts';
import { event, type PipelineEvent } from '../src/pipeline/events.ts';
import { resolveDataDir } from '../src/jobs/loadDataset.ts';
import { param } from '../src/pipeline/params.ts';
import { shared } from '../src/pipeline/sharedParams.ts';
import { definePipeline, type Pipeline, type PipelineContext } from '../src/pipeline/pipeline.ts';
import { prepareRun } from '../src/pipeline/startRun.ts';
import { UsageError } from '../src/pipeline/usageError.ts';
import { strategies } from '../src/ops/strategy.ts';
import { loadStrategies } from '../src/streams/loadStrategy.ts';
import { seedEvalDirs, writePaperReport } from '../src/report/paperReport.ts';
import evalCifarC from './eval-cifar10c.ts';
import evalFourier from './eval-fourier.ts';
import train from './train.ts';

const params = z.object({
  datasets: param.list({ default: ['data/cifar10-mini'], help: 'CIFAR-10/100 binary folders to train and test on' }),
  cifarC: param.list({ help: 'CIFAR-C folder per dataset, same order (default: none, -C columns stay n/a); "-" skips one' }),
  strategies: param.strategies({ default: Object.keys(strategies), help: 'strategies to train: built-ins or strategy modules' }),
  seeds: param.intList({ default: [0, 1, 2, 3], min: 0, help: 'seeds per strategy' }),
  depth: shared.depth(40, 'WRN depth'),
  widen: shared.widen(2, 'WRN width'),
  epochs: param.int({ default: 100, min: 1, help: 'training epochs' }),
  batchSize: param.int({ default: 128, min: 1, help: 'training batch size' }),
  holdout: param.int({ default: 5000, min: 0, help: 'training images held out for checkpoint selection' }),
  limit: param.optionalInt({ min: 2, help: 'only the first N train and test images (smoke runs)' }),
  norms: param.intList({ default: [1, 2, 3, 4], min: 0, help: 'Fourier attack norms' }),
  fourierImages: param.optionalInt({ min: 1, help: 'Fourier attack on the first N test images only (default all)' }),
  maxK: param.optionalInt({ min: 0, help: 'Fourier attack on |kx|,|ky| <= maxK only (default all of K)' }),
  kStep: shared.kStep,
  cImages: param.optionalInt({ min: 1, help: 'CIFAR-C: first N images per severity only (default all)' }),
  workers: shared.workers,
  backend: shared.backend,
  threads: shared.threads,
  runtime: shared.runtime,
  jobs: param.int({
    default: 1,
    min: 1,
    max: 64,
    help: 'strategies trained and evaluated at once, each in its own process (wasm and cpu compute on one core per process)',
  }),
});

/** Runs a sub-pipeline into `out` with its own config.json, as `main` does. */
function sub(pipeline: Pipeline, name: string, values: Record<string, unknown>, out: string, ctx: PipelineContext): Observable<PipelineEvent> {
  return defer(() => {
    const run = prepareRun(pipeline, `pipelines/${name}.ts`, { ...values, out }, { cwd: ctx.cwd, ...(ctx.signal ? { signal: ctx.signal } : {}) });
    return concat([event.log(`paper: ${name} -> ${out}`)], run.events);
  });
}

const drop = <T extends Record<string, unknown>>(o: T): Record<string, unknown> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

export default definePipeline({
  name: 'paper',
  description:
    'The whole study: every strategy x seed x dataset trained, then CIFAR-C and the Fourier attack per seed, then the report (Tables 1-2, Figures 1-3)',
  params,
  presets: {
    'paper-cifar': {
      description:
        'The paper: 7 strategies x 4 seeds on CIFAR-10 and CIFAR-100 (data/cifar-10-batches-bin, data/cifar-100-binary) with data/CIFAR-10-C, data/CIFAR-100-C',
      params: { datasets: ['data/cifar-10-batches-bin', 'data/cifar-100-binary'], cifarC: ['data/CIFAR-10-C', 'data/CIFAR-100-C'] },
    },
    'paper-smoke': {
      description: 'Minutes on a laptop: Base and AugSVF, 1 seed, WRN-10-1, 1 epoch on 200 bundled images, attack on 32 images and |k| <= 1',
      params: {
        strategies: ['Base', 'AugSVF'],
        seeds: [0],
        depth: 10,
        widen: 1,
        epochs: 1,
        batchSize: 32,
        holdout: 0,
        limit: 200,
        norms: [4],
        fourierImages: 32,
        maxK: 1,
        cImages: 10,
      },
    },
  },
  run: (p, ctx) =>
    defer(() => {
      if (p.cifarC && p.cifarC.length !== p.datasets.length)
        throw new UsageError(`cifarC=${p.cifarC.join(',')}: give one folder (or -) per dataset (${p.datasets.length})`);
      return loadStrategies(p.strategies, ctx.cwd);
    }).pipe(
      mergeMap((loaded) => {
        const runs: string[] = [];
        // Side-by-side processes share the cores: the compute threads are split between them.
        const threads = Math.max(1, Math.floor(p.threads / p.jobs));
        const perDataset = p.datasets.map((data, di) => {
          const cfolder = p.cifarC?.[di];
          const name = basename(resolveDataDir(data, ctx.cwd));
          const perStrategy = p.strategies.map((strategy, si) => {
            const label = loaded[si]!.name;
            const runDir = join(ctx.runDir, name, label);
            runs.push(runDir);
            // With jobs > 1 each strategy's chain runs in child processes, side by side.
            const step = (pipeline: Pipeline, file: string, values: Record<string, unknown>, out: string): Observable<PipelineEvent> =>
              p.jobs > 1 ? childRun(file, values, resolve(ctx.cwd, out), label, ctx.cwd) : sub(pipeline, file, values, out, ctx);
            const trained = step(
              train,
              'train',
              drop({
                data,
                strategy,
                seeds: p.seeds,
                depth: p.depth,
                widen: p.widen,
                epochs: p.epochs,
                batchSize: p.batchSize,
                holdout: p.holdout,
                limit: p.limit,
                workers: p.workers,
                backend: p.backend,
                threads,
                resume: true,
              }),
              runDir,
            );
            const evals = p.seeds.map((seed) => {
              const seedDir = join(runDir, `seed-${seed}`);
              const dirs = seedEvalDirs(seedDir);
              return concat(
                cfolder && cfolder !== '-'
                  ? step(
                      evalCifarC,
                      'eval-cifar10c',
                      drop({ model: seedDir, cifarC: cfolder, images: p.cImages, backend: p.backend, threads, runtime: p.runtime }),
                      dirs.cifarC,
                    )
                  : [],
                step(
                  evalFourier,
                  'eval-fourier',
                  drop({
                    model: seedDir,
                    data,
                    norms: p.norms,
                    images: p.fourierImages ?? p.limit,
                    maxK: p.maxK,
                    kStep: p.kStep,
                    backend: p.backend,
                    threads,
                    runtime: p.runtime,
                  }),
                  dirs.fourier,
                ),
              );
            });
            return concat(trained, ...evals);
          });
          return from(perStrategy).pipe(mergeAll(p.jobs));
        });
        const report = defer(async () => {
          const out = resolve(ctx.runDir, 'report');
          await mkdir(out, { recursive: true });
          const written = await writePaperReport(runs, out);
          return [
            ...written.map((w) => event.artifact(w, w.endsWith('.md') ? 'Tables 1 and 2' : 'figure')),
            event.summary([`paper: ${runs.length} runs; see ${written[0]}`]),
          ];
        }).pipe(mergeMap((es) => from(es)));
        return concat(...perDataset, report);
      }),
    ),
});
