import type { TrainResult } from '../model/train.ts';
import { percent } from './percent.ts';

/** One finished training run. */
export interface SeedRun {
  readonly seed: number;
  readonly dir: string;
  readonly result: TrainResult;
}

/** Mean and sample standard deviation (n − 1; 0 for one value). */
export interface MeanStd {
  readonly mean: number;
  readonly std: number;
}

export interface MetricSummary {
  readonly error: MeanStd;
  readonly calibration: MeanStd;
}

/** What `summary.json` holds: every seed's figures, and their mean ± std. */
export interface SeedSummary {
  readonly strategy: string;
  /** The strategy's settings, primitives and, for custom code, its sources' SHA-256 (`strategyDefinition`). */
  readonly definition?: Readonly<Record<string, unknown>>;
  readonly dataset: string;
  readonly seeds: readonly {
    readonly seed: number;
    readonly dir: string;
    readonly bestEpoch: number | null;
    readonly holdout: TrainResult['holdout'];
    readonly test: TrainResult['test'];
  }[];
  readonly holdout: MetricSummary | null;
  readonly test: MetricSummary | null;
}

export function meanStd(xs: readonly number[]): MeanStd {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const std = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)) : 0;
  return { mean, std };
}

function summarise(results: readonly (TrainResult['test'] | null)[]): MetricSummary | null {
  if (results.length === 0 || results.some((r) => r === null)) return null;
  const rs = results as NonNullable<TrainResult['test']>[];
  return { error: meanStd(rs.map((r) => r.error)), calibration: meanStd(rs.map((r) => r.calibration)) };
}

export function summariseSeeds(strategy: string, dataset: string, runs: readonly SeedRun[], definition?: Readonly<Record<string, unknown>>): SeedSummary {
  return {
    strategy,
    ...(definition ? { definition } : {}),
    dataset,
    seeds: runs.map((r) => ({ seed: r.seed, dir: r.dir, bestEpoch: r.result.best?.epoch ?? null, holdout: r.result.holdout, test: r.result.test })),
    holdout: summarise(runs.map((r) => r.result.holdout)),
    test: summarise(runs.map((r) => r.result.test)),
  };
}

const pct = (x: number | undefined): string => percent(x, 2, '');

/** A readable table of a `SeedSummary`: one row per seed, then mean ± std (percent). */
export function seedSummaryMarkdown(s: SeedSummary): string {
  const rows = s.seeds.map(
    (r) =>
      `| ${r.seed} | ${r.bestEpoch ?? 'last'} | ${pct(r.holdout?.error)} | ${pct(r.test?.error)} | ${pct(r.test?.calibration)} | ${pct(r.test?.calibrationReference)} |`,
  );
  const ms = (m: MeanStd | undefined): string => (m ? `${pct(m.mean)} ± ${pct(m.std)}` : 'n/a');
  return [
    `# ${s.strategy} on ${s.dataset}`,
    '',
    'Errors and RMS calibration errors in percent; the checkpoint is the best hold-out epoch (the last one without a hold-out set).',
    '"calib. (ref.)" is Hendrycks\' calib_err as published, which leaves the last bin out.',
    '',
    '| seed | epoch | hold-out error | test error | test calibration | calib. (ref.) |',
    '|---|---|---|---|---|---|',
    ...rows,
    `| mean ± std | | ${ms(s.holdout?.error)} | ${ms(s.test?.error)} | ${ms(s.test?.calibration)} | |`,
    '',
  ].join('\n');
}
