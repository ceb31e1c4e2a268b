import { join } from 'node:path';
import { concat, concatMap, defer, from, mergeMap, type Observable } from 'rxjs';
import { writeFileAtomic, writeJsonAtomic } from '../data/atomic.ts';
import type { Dataset } from '../data/dataset.ts';
import { train, type TrainConfig, type TrainEvent } from '../model/train.ts';
import type { Strategy } from '../ops/strategy.ts';
import { strategyDefinition } from '../streams/loadStrategy.ts';
import { formatRate } from '../report/profileTable.ts';
import { seedSummaryMarkdown, summariseSeeds, type SeedRun } from '../report/seedSummary.ts';
import { event, type PipelineEvent } from '../pipeline/events.ts';
import { percent } from '../report/percent.ts';

export interface TrainSeedsSpec {
  readonly train: Dataset;
  readonly test?: Dataset;
  readonly strategy: Strategy;
  /** Everything but the seed, which each run sets. */
  readonly config: Omit<TrainConfig, 'seed'>;
  readonly seeds: readonly number[];
  /** Each seed trains into `<runDir>/seed-<seed>/`; the aggregate lands in `runDir`. */
  readonly runDir: string;
  readonly resume: boolean;
}

const pct = (x: number | undefined): string => percent(x, 2);

/** One seed's training events as what the CLI renders: a progress bar per seed and a line per epoch. */
function render(seed: number, e: TrainEvent, resume: boolean): PipelineEvent[] {
  const stage = `train seed ${seed}`;
  switch (e.type) {
    case 'start':
      return [
        event.log(
          `${stage}: ${e.trainCount} training images, ${e.holdoutCount} held out, ${e.stepsPerEpoch} steps/epoch, ` +
            `${e.paramCount.toLocaleString('en-US')} parameters${e.resumedFrom ? `, resumed after epoch ${e.startEpoch} of ${e.epochs} from ${e.resumedFrom}` : ''}`,
        ),
        ...(resume && !e.resumedFrom ? [event.log(`${stage}: resume=true, but no checkpoint to resume from: starting at epoch 1`)] : []),
        event.progress(stage, e.startEpoch * e.stepsPerEpoch, e.epochs * e.stepsPerEpoch, 'steps'),
      ];
    case 'step':
      return [
        event.progress(
          stage,
          e.step + 1,
          e.totalSteps,
          'steps',
          `epoch ${e.epoch + 1} · loss ${e.loss.toFixed(3)} · lr ${e.lr.toExponential(2)} · ${formatRate(e.samplesPerSecond)} samples/s`,
        ),
      ];
    case 'epoch': {
      const h = e.holdout ? `, hold-out error ${pct(e.holdout.error)}, calibration ${pct(e.holdout.calibration)}${e.best ? ' (best)' : ''}` : '';
      return [
        event.log(
          `${stage} epoch ${e.epoch + 1}/${e.epochs}: loss ${e.loss.toFixed(4)}${h}; ${formatRate(e.samplesPerSecond)} samples/s, ` +
            `waited for data ${pct(e.dataWait)} of ${e.seconds.toFixed(1)} s`,
        ),
      ];
    }
    case 'checkpoint':
      return [];
    case 'done': {
      const r = e.result;
      return [
        event.log(`${stage} done: test error ${pct(r.test?.error)}, calibration ${pct(r.test?.calibration)} (${r.checkpoint})`),
        event.artifact(r.checkpoint, `seed ${seed}: the selected checkpoint`),
      ];
    }
  }
}

/**
 * Trains one run per seed, one after the other (each already uses every core), then writes
 * `summary.json` and `summary.md` with mean ± std over seeds. Re-running with `resume` continues
 * unfinished seeds and re-evaluates finished ones from their checkpoints.
 */
export function trainSeeds(spec: TrainSeedsSpec): Observable<PipelineEvent> {
  const results: SeedRun[] = [];
  const one = (seed: number): Observable<PipelineEvent> => {
    const dir = join(spec.runDir, `seed-${seed}`);
    return train({ ...spec, config: { ...spec.config, seed }, runDir: dir }).pipe(
      mergeMap((e) => {
        if (e.type === 'done') {
          results.push({ seed, dir, result: e.result });
          return concat(defer(() => writeJsonAtomic(join(dir, 'result.json'), e.result)).pipe(mergeMap(() => [])), render(seed, e, spec.resume));
        }
        return from(render(seed, e, spec.resume));
      }),
    );
  };
  return concat(
    from(spec.seeds).pipe(concatMap(one)),
    defer(async () => {
      const summary = summariseSeeds(spec.strategy.name, spec.train.name, results, strategyDefinition(spec.strategy));
      const paths = { json: join(spec.runDir, 'summary.json'), md: join(spec.runDir, 'summary.md') };
      await writeJsonAtomic(paths.json, summary);
      await writeFileAtomic(paths.md, seedSummaryMarkdown(summary));
      return [paths, summary] as const;
    }).pipe(
      mergeMap(([paths, s]) => [
        event.artifact(paths.md, 'per-seed and mean ± std errors and calibration'),
        event.summary([
          `${s.strategy} on ${s.dataset}, ${s.seeds.length} seed(s): test error ${s.test ? `${pct(s.test.error.mean)} ± ${pct(s.test.error.std)}` : 'n/a'}, ` +
            `calibration ${s.test ? `${pct(s.test.calibration.mean)} ± ${pct(s.test.calibration.std)}` : 'n/a'}; see ${paths.md}`,
        ]),
      ]),
    ),
  );
}
