import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { concat, concatMap, defer, finalize, from, mergeMap, type Observable } from 'rxjs';
import type { Dataset } from '../data/dataset.ts';
import { MetricsLog } from '../data/metricsLog.ts';
import { permutation } from '../ops/permutation.ts';
import type { Strategy } from '../ops/strategy.ts';
import { InputError } from '../inputError.ts';
import { augment } from '../streams/augment.ts';
import { checkStrategy, strategyDefinition } from '../streams/loadStrategy.ts';
import { batch } from '../streams/batch.ts';
import { epochs } from '../streams/epochs.ts';
import { createAugmentPool, type AugmentPool } from '../streams/pool.ts';
import { loadCheckpoint, restoreCheckpoint, saveCheckpoint, type TrainingPosition } from './checkpoint.ts';
import { evaluate, type EvalResult } from './evaluate.ts';
import { toTensors } from './feed.ts';
import { cosineLr, Sgd } from './sgd.ts';
import { trainStep } from './trainStep.ts';
import { createWrn } from './wrn.ts';

/** The recipe: defaults are the AugMix reference's CIFAR settings (cifar.py). */
export interface TrainConfig {
  readonly depth: number;
  readonly widen: number;
  readonly dropRate: number;
  readonly epochs: number;
  readonly batchSize: number;
  /** Samples per forward/backward pass (see `trainStep`); the batch size when not smaller. */
  readonly microBatch: number;
  readonly lr: number;
  readonly lrMin: number;
  readonly momentum: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;
  /** Seeds the init, the hold-out split, the shuffles, the augmentations and dropout. */
  readonly seed: number;
  /** Training images held out for validation and best-checkpoint selection (0: none). */
  readonly holdout: number;
  readonly evalBatch: number;
  /** Augmentation worker threads (0 in-process), or a pool the caller owns. */
  readonly workers: number | AugmentPool;
  /**
   * Samples per worker task; default the batch size: each task then fills one whole batch, which
   * `batch()` passes on without a copy (smaller chunks are copied together on the main thread, and
   * at JSD rates that copying took a fifth of a core from the workers).
   */
  readonly chunkSize?: number;
}

export const referenceRecipe: Omit<TrainConfig, 'workers' | 'seed' | 'holdout'> = {
  depth: 40,
  widen: 2,
  dropRate: 0,
  epochs: 100,
  batchSize: 128,
  microBatch: 128,
  lr: 0.1,
  lrMin: 1e-6,
  momentum: 0.9,
  nesterov: true,
  weightDecay: 5e-4,
  evalBatch: 1000,
};

export interface TrainSetup {
  /** The training split; the hold-out set is carved out of it. */
  readonly train: Dataset;
  /** Evaluated once at the end, with the best checkpoint (the last one without a hold-out set). */
  readonly test?: Dataset;
  readonly strategy: Strategy;
  readonly config: TrainConfig;
  /** Holds checkpoint.msgpack, best.msgpack, metrics.jsonl and result.json. */
  readonly runDir: string;
  /** Continue from `runDir/checkpoint.msgpack` if it exists. */
  readonly resume: boolean;
}

export type StepEvent = Readonly<{
  type: 'step';
  epoch: number;
  step: number;
  index: number;
  stepsPerEpoch: number;
  totalSteps: number;
  lr: number;
  loss: number;
  ce: number;
  jsd: number;
  samplesPerSecond: number;
}>;
export type EpochEvent = Readonly<{
  type: 'epoch';
  epoch: number;
  epochs: number;
  loss: number;
  holdout: EvalResult | null;
  best: boolean;
  seconds: number;
  samplesPerSecond: number;
  dataWait: number;
}>;
export interface TrainResult {
  readonly epochs: number;
  readonly steps: number;
  readonly best: TrainingPosition['best'];
  readonly holdout: EvalResult | null;
  readonly test: EvalResult | null;
  readonly checkpoint: string;
}
/** What training reports, in order: start, then steps and epochs (with checkpoints), then done. */
export type TrainEvent =
  | Readonly<{
      type: 'start';
      startEpoch: number;
      epochs: number;
      stepsPerEpoch: number;
      trainCount: number;
      holdoutCount: number;
      paramCount: number;
      resumedFrom: string | null;
    }>
  | StepEvent
  | EpochEvent
  | Readonly<{ type: 'checkpoint'; path: string; epoch: number; best: boolean }>
  | Readonly<{ type: 'done'; result: TrainResult }>;

/** The hold-out split: a seeded choice of `holdout` training indices, and the rest, both ascending. */
export function holdoutSplit(count: number, holdout: number, seed: number): { train: Int32Array; holdout: Int32Array } {
  if (!Number.isInteger(holdout) || holdout < 0 || holdout >= count) throw new RangeError(`holdout must be an integer in [0, ${count}), got ${holdout}`);
  const order = permutation(count, seed, 0, 'split');
  return { holdout: order.slice(0, holdout).sort(), train: order.slice(holdout).sort() };
}

/**
 * Trains a WRN on `setup.train` with `setup.strategy`, fed by the augmentation stream: the pool
 * works ahead of the model by the stream's credits, so augmentation overlaps compute, and each
 * epoch reports the fraction of its time the model waited for data. After every epoch: hold-out
 * evaluation, then an atomic checkpoint (and best.msgpack when the hold-out error improves). The
 * batches and augmentations of epoch e depend only on (seed, e), so a resumed run ends with the
 * same weights as an uninterrupted one. Unsubscribing stops the work and frees pool and tensors.
 */
export function train(setup: TrainSetup): Observable<TrainEvent> {
  const { config: c, runDir } = setup;
  const paths = { last: join(runDir, 'checkpoint.msgpack'), best: join(runDir, 'best.msgpack'), metrics: join(runDir, 'metrics.jsonl') };

  return defer(async () => {
    // Checked before anything is written: its modules import, its ops exist, its sources hashed.
    const strategy = await checkStrategy(setup.strategy);
    const fingerprint = {
      dataset: setup.train.name,
      count: setup.train.count,
      strategy: strategyDefinition(strategy),
      seed: c.seed,
      holdout: c.holdout,
      epochs: c.epochs,
      batchSize: c.batchSize,
      microBatch: Math.min(c.microBatch, c.batchSize),
      lr: c.lr,
      lrMin: c.lrMin,
      momentum: c.momentum,
      nesterov: c.nesterov,
      weightDecay: c.weightDecay,
      depth: c.depth,
      widen: c.widen,
      dropRate: c.dropRate,
    };
    await mkdir(runDir, { recursive: true });
    const split = holdoutSplit(setup.train.count, c.holdout, c.seed);
    const net = createWrn({ depth: c.depth, widen: c.widen, classes: setup.train.classes.length, seed: c.seed, dropRate: c.dropRate });
    const sgd = new Sgd(net.params, { momentum: c.momentum, nesterov: c.nesterov, weightDecay: c.weightDecay });
    const pool = typeof c.workers === 'number' ? createAugmentPool(c.workers) : c.workers;
    const dispose = (): void => {
      sgd.dispose();
      net.dispose();
      if (pool !== c.workers) void pool.destroy();
    };
    try {
      let position: TrainingPosition = { epoch: 0, step: 0, fingerprint, best: null };
      let resumedFrom: string | null = null;
      if (existsSync(paths.last)) {
        if (!setup.resume)
          throw new InputError(`${runDir} already holds a checkpoint (${paths.last}): continue it with resume=true, or train into another folder (out=...)`);
        const ck = await loadCheckpoint(paths.last);
        checkFingerprint(paths.last, ck.fingerprint, fingerprint);
        restoreCheckpoint(paths.last, ck, net, sgd);
        position = ck;
        resumedFrom = paths.last;
      }
      // Records past the checkpoint belong to work that is about to be redone.
      const log = await MetricsLog.open(paths.metrics, (r) => (r.type === 'step' ? Number(r.step) < position.step : Number(r.epoch) < position.epoch));
      return { strategy, fingerprint, split, net, sgd, pool, position, resumedFrom, log, dispose };
    } catch (err) {
      dispose();
      throw err;
    }
  }).pipe(
    mergeMap((run) => {
      const { strategy, fingerprint, net, sgd, pool, split, log } = run;
      const trainCount = split.train.length;
      const stepsPerEpoch = Math.ceil(trainCount / c.batchSize);
      const totalSteps = stepsPerEpoch * c.epochs;
      const micro = Math.min(c.microBatch, c.batchSize);
      let position = run.position;

      const runEpoch = (e: number): Observable<TrainEvent> => {
        const t0 = performance.now();
        let waitMs = 0;
        let lastEnd = t0;
        let lossSum = 0;
        let seen = 0;
        const steps = epochs(setup.train, { epochs: 1, startEpoch: e, seed: c.seed, indices: split.train }).pipe(
          augment(strategy, { workers: pool, chunkSize: c.chunkSize ?? c.batchSize }),
          batch(c.batchSize),
          toTensors(),
          concatMap(async (tb): Promise<StepEvent> => {
            const start = performance.now();
            waitMs += start - lastEnd;
            const step = position.step + tb.index;
            const lr = cosineLr(step, totalSteps, c.lr, c.lrMin);
            let loss;
            try {
              loss = await trainStep(net, sgd, tb, lr, micro, `${c.seed}:${step}`);
            } finally {
              tb.dispose();
            }
            lastEnd = performance.now();
            lossSum += loss.loss * tb.size;
            seen += tb.size;
            const ev: StepEvent = {
              type: 'step',
              epoch: e,
              step,
              index: tb.index,
              stepsPerEpoch,
              totalSteps,
              lr,
              ...loss,
              samplesPerSecond: tb.size / ((lastEnd - start) / 1000),
            };
            await log.append(ev);
            return ev;
          }),
        );
        const close = defer(async (): Promise<TrainEvent[]> => {
          const seconds = (performance.now() - t0) / 1000;
          const holdout =
            split.holdout.length > 0
              ? await evaluate(net, setup.train, { normalize: strategy, indices: split.holdout, batchSize: c.evalBatch, workers: pool })
              : null;
          const improved = holdout !== null && (position.best === null || holdout.error < position.best.error);
          position = {
            epoch: e + 1,
            step: position.step + stepsPerEpoch,
            fingerprint,
            best: improved ? { epoch: e + 1, error: holdout!.error } : position.best,
            image: { height: setup.train.shape.height, width: setup.train.shape.width },
          };
          const ev: EpochEvent = {
            type: 'epoch',
            epoch: e,
            epochs: c.epochs,
            loss: lossSum / Math.max(seen, 1),
            holdout,
            best: improved,
            seconds,
            samplesPerSecond: seen / seconds,
            dataWait: waitMs / 1000 / seconds,
          };
          await log.append(ev);
          // best.msgpack first: a crash in between leaves a checkpoint that re-runs this epoch, never
          // one that believes a best model exists that was not written.
          if (improved) await saveCheckpoint(paths.best, net, null, position);
          await saveCheckpoint(paths.last, net, sgd, position);
          return [ev, { type: 'checkpoint', path: paths.last, epoch: e + 1, best: improved }];
        }).pipe(mergeMap((evs) => evs));
        return concat(steps, close);
      };

      const finish = defer(async (): Promise<TrainEvent> => {
        // The paper's selection: the best hold-out epoch; without a hold-out set, the last epoch.
        const chosen = position.best !== null && existsSync(paths.best) ? paths.best : paths.last;
        if (chosen === paths.best) restoreCheckpoint(chosen, await loadCheckpoint(chosen), net, null);
        const opts = { normalize: strategy, batchSize: c.evalBatch, workers: pool };
        const holdout = split.holdout.length > 0 ? await evaluate(net, setup.train, { ...opts, indices: split.holdout }) : null;
        const test = setup.test ? await evaluate(net, setup.test, opts) : null;
        const result: TrainResult = { epochs: position.epoch, steps: position.step, best: position.best, holdout, test, checkpoint: chosen };
        return { type: 'done', result };
      });

      const remaining = Array.from({ length: Math.max(0, c.epochs - position.epoch) }, (_, i) => position.epoch + i);
      return concat(
        [
          {
            type: 'start',
            startEpoch: position.epoch,
            epochs: c.epochs,
            stepsPerEpoch,
            trainCount,
            holdoutCount: split.holdout.length,
            paramCount: net.paramCount,
            resumedFrom: run.resumedFrom,
          } as TrainEvent,
        ],
        from(remaining).pipe(concatMap(runEpoch)),
        finish,
      ).pipe(finalize(run.dispose));
    }),
  );
}

/** A resumed run must be the run that was interrupted: same data, seed, strategy and schedule. */
function checkFingerprint(path: string, saved: Readonly<Record<string, unknown>>, now: Readonly<Record<string, unknown>>): void {
  const differs = changedPaths(saved, now, '');
  if (differs.length > 0) {
    const show = (v: unknown): string => (JSON.stringify(v) ?? 'undefined').slice(0, 80);
    throw new InputError(
      `${path}: cannot resume, the run's settings changed: ${differs.map(([k, was, is]) => `${k} was ${show(was)}, now ${show(is)}`).join('; ')}; ` +
        'a run resumes with the settings it started with (the schedule depends on them): train into another folder (out=...) to change them',
    );
  }
}

/** The leaves in which two JSON values differ, as (path, was, now): `strategy.modules.0.sha256`. */
function changedPaths(was: unknown, now: unknown, at: string): [string, unknown, unknown][] {
  if (JSON.stringify(was) === JSON.stringify(now)) return [];
  const bothObjects = typeof was === 'object' && was !== null && typeof now === 'object' && now !== null && Array.isArray(was) === Array.isArray(now);
  // Arrays of different lengths read better whole (an op list) than as a run of shifted items.
  if (!bothObjects || (Array.isArray(was) && (was as unknown[]).length !== (now as unknown[]).length)) return [[at, was, now]];
  const a = was as Record<string, unknown>;
  const b = now as Record<string, unknown>;
  return Object.keys({ ...a, ...b }).flatMap((k) => changedPaths(a[k], b[k], at ? `${at}.${k}` : k));
}
