import { mkdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { concat, defer, from, mergeMap, type Observable } from 'rxjs';
import { z } from 'zod';
import { childRun } from '../src/pipeline/childRun.ts';
import { event, type PipelineEvent } from '../src/pipeline/events.ts';
import { resolveDataDir } from '../src/jobs/loadDataset.ts';
import { param } from '../src/pipeline/params.ts';
import { shared } from '../src/pipeline/sharedParams.ts';
import { definePipeline, type Pipeline, type PipelineContext } from '../src/pipeline/pipeline.ts';
import { prepareRun } from '../src/pipeline/startRun.ts';
import { UsageError } from '../src/pipeline/usageError.ts';
import { parseShard } from '../src/ops/shard.ts';
import { planLines, runStage, STAGES, type Stage, type StudyTask } from '../src/jobs/studyTasks.ts';
import { strategies } from '../src/ops/strategy.ts';
import { loadStrategies } from '../src/streams/loadStrategy.ts';
import { seedEvalDirs, writePaperReport } from '../src/report/paperReport.ts';
import evalCifarC from './eval-cifar10c.ts';
import evalFourier from './eval-fourier.ts';
import trainPipeline from './train.ts';

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
    help: 'with stage=all: tasks run at once, each in its own process (wasm and cpu compute on one core per process)',
  }),
  stage: param.enum(['all', ...STAGES], {
    default: 'all',
    help: 'all: the whole study in this process; train, eval or report: one stage only, for a cluster (with task=i/n)',
  }),
  task: param.string({ default: '0/1', help: 'i/n: with a stage, run the i-th of n disjoint slices of its tasks (0-based; describe paper --plan lists them)' }),
  fourierShards: param.int({ default: 1, min: 1, max: 4096, help: 'eval tasks per Fourier grid (each a shard of it)' }),
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
  // The tasks of one stage run side by side as array tasks, each into its own folders: the study
  // folder itself is shared by them.
  sharedFolder: (p) => p.stage !== 'all',
  plan: async (p, ctx) => planLines((await study(p, ctx)).tasks, ctx.runDir),
  run: (p, ctx) =>
    defer(() => study(p, ctx)).pipe(
      mergeMap(({ tasks }) => {
        if (p.stage !== 'all') {
          let shard;
          try {
            shard = parseShard(p.task);
          } catch (err) {
            throw new UsageError(`task=${p.task}: ${(err as Error).message}`);
          }
          return runStage(tasks, p.stage, shard, ctx.runDir);
        }
        if (p.task !== '0/1') throw new UsageError(`task=${p.task} runs a slice of one stage: give stage=train, eval or report with it`);
        // One process: each stage's tasks, `jobs` at a time, then the next stage.
        const stage = (s: Stage): Observable<PipelineEvent> => from(tasks.filter((t) => t.stage === s)).pipe(mergeMap((t) => t.run(), p.jobs));
        return concat(stage('train'), stage('eval'), stage('report'));
      }),
    ),
});

/**
 * The study as a fixed list of tasks: per dataset and strategy a training run (all seeds), then
 * per trained seed its CIFAR-C evaluation and its Fourier grid in `fourierShards` shards, then
 * the report. The order is canonical (datasets, strategies, seeds as given), so `task=i/n`
 * means the same work in every process.
 */
async function study(p: z.output<typeof params>, ctx: PipelineContext): Promise<{ tasks: StudyTask[] }> {
  if (p.cifarC && p.cifarC.length !== p.datasets.length)
    throw new UsageError(`cifarC=${p.cifarC.join(',')}: give one folder (or -) per dataset (${p.datasets.length})`);
  const loaded = await loadStrategies(p.strategies, ctx.cwd);
  // Side-by-side processes share the cores: the compute threads are split between them.
  const threads = p.stage === 'all' ? Math.max(1, Math.floor(p.threads / p.jobs)) : p.threads;
  const runs: string[] = [];
  const train: StudyTask[] = [];
  const evals: StudyTask[] = [];
  const reportNeeds: string[] = [];
  for (const [di, data] of p.datasets.entries()) {
    const cfolder = p.cifarC?.[di];
    const name = basename(resolveDataDir(data, ctx.cwd));
    for (const [si, strategy] of p.strategies.entries()) {
      const label = loaded[si]!.name;
      const runDir = join(ctx.runDir, name, label);
      runs.push(runDir);
      reportNeeds.push(join(runDir, 'summary.json'));
      // With jobs > 1 (one process, stage=all) each task runs in a child process, side by side.
      const step = (pipeline: Pipeline, file: string, values: Record<string, unknown>, out: string): Observable<PipelineEvent> =>
        p.stage === 'all' && p.jobs > 1 ? childRun(file, values, resolve(ctx.cwd, out), label, ctx.cwd) : sub(pipeline, file, values, out, ctx);
      const values = drop({
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
      });
      train.push({ stage: 'train', name: `train ${name}/${label}`, needs: [], run: () => step(trainPipeline, 'train', values, runDir) });
      for (const seed of p.seeds) {
        const seedDir = join(runDir, `seed-${seed}`);
        const dirs = seedEvalDirs(seedDir);
        // result.json is written when the seed's training has finished.
        const needs = [join(seedDir, 'result.json')];
        const model = { model: seedDir, backend: p.backend, threads, runtime: p.runtime };
        if (cfolder && cfolder !== '-') {
          reportNeeds.push(join(dirs.cifarC, 'cifar-c.json'));
          evals.push({
            stage: 'eval',
            name: `eval-cifar10c ${name}/${label}/seed-${seed}`,
            needs,
            run: () => step(evalCifarC, 'eval-cifar10c', drop({ ...model, cifarC: cfolder, images: p.cImages }), dirs.cifarC),
          });
        }
        reportNeeds.push(join(dirs.fourier, 'fourier.json'));
        for (let shard = 0; shard < p.fourierShards; shard++) {
          const values = drop({
            ...model,
            data,
            norms: p.norms,
            images: p.fourierImages ?? p.limit,
            maxK: p.maxK,
            kStep: p.kStep,
            shard: `${shard}/${p.fourierShards}`,
          });
          const part = p.fourierShards > 1 ? ` shard ${shard}/${p.fourierShards}` : '';
          evals.push({
            stage: 'eval',
            name: `eval-fourier ${name}/${label}/seed-${seed}${part}`,
            needs,
            run: () => step(evalFourier, 'eval-fourier', values, dirs.fourier),
          });
        }
      }
    }
  }
  const report: StudyTask = {
    stage: 'report',
    name: 'report',
    needs: reportNeeds,
    run: () =>
      defer(async () => {
        const out = resolve(ctx.runDir, 'report');
        await mkdir(out, { recursive: true });
        const written = await writePaperReport(runs, out);
        return [
          ...written.map((w) => event.artifact(w, w.endsWith('.md') ? 'Tables 1 and 2' : 'figure')),
          event.summary([`paper: ${runs.length} runs; see ${written[0]}`]),
        ];
      }).pipe(mergeMap((es) => from(es))),
  };
  return { tasks: [...train, ...evals, report] };
}
