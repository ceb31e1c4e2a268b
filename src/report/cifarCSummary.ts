import type { ModelIdentity } from '../data/modelIdentity.ts';
import { renderBarChart, renderLineChart } from './charts.ts';
import { percent } from './percent.ts';

/** One (corruption, severity) cell of a CIFAR-C evaluation. */
export interface CifarCCell {
  readonly corruption: string;
  readonly severity: number;
  readonly count: number;
  readonly error: number;
  readonly calibration: number;
  readonly calibrationReference: number;
  readonly loss: number;
}

/** What `cifar-c.json` holds (written by eval-cifar10c). */
export interface CifarCReport {
  /** depth and widen for our WRNs; format 'onnx' and the input contract for ONNX models. */
  readonly model: { readonly path: string } & Omit<ModelIdentity, 'classes'>;
  readonly data: string;
  readonly cells: readonly CifarCCell[];
  readonly summary: CifarCSummary;
}

export interface CifarCSummary {
  /** Per corruption, in the order cells were given: mean over its severities, and each severity's error. */
  readonly corruptions: readonly {
    readonly corruption: string;
    readonly error: number;
    readonly calibration: number;
    readonly errorBySeverity: readonly number[];
  }[];
  /** Per severity (1..5): mean over corruptions. */
  readonly severities: readonly { readonly severity: number; readonly error: number; readonly calibration: number }[];
  /** Mean over every cell (the paper's CIFAR-C figure: 15 corruptions x 5 severities). */
  readonly overall: { readonly error: number; readonly calibration: number; readonly cells: number };
}

const mean = (xs: readonly number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

/** Per corruption, per severity and overall means of error and RMS calibration error. */
export function summariseCifarC(cells: readonly CifarCCell[]): CifarCSummary {
  const names = [...new Set(cells.map((c) => c.corruption))];
  const sevs = [...new Set(cells.map((c) => c.severity))].sort((a, b) => a - b);
  return {
    corruptions: names.map((corruption) => {
      const cs = cells.filter((c) => c.corruption === corruption);
      return {
        corruption,
        error: mean(cs.map((c) => c.error)),
        calibration: mean(cs.map((c) => c.calibration)),
        errorBySeverity: sevs.map((s) => cs.find((c) => c.severity === s)?.error ?? NaN),
      };
    }),
    severities: sevs.map((severity) => {
      const cs = cells.filter((c) => c.severity === severity);
      return { severity, error: mean(cs.map((c) => c.error)), calibration: mean(cs.map((c) => c.calibration)) };
    }),
    overall: { error: mean(cells.map((c) => c.error)), calibration: mean(cells.map((c) => c.calibration)), cells: cells.length },
  };
}

const pct = (x: number): string => percent(x, 1, '');

/** The per-corruption table: error per severity, mean error and mean calibration, in percent; a final mean row. */
export function cifarCMarkdown(title: string, s: CifarCSummary, notes: readonly string[] = []): string {
  const sevs = s.severities.map((x) => x.severity);
  return [
    `# ${title}`,
    '',
    ...notes,
    ...(notes.length ? [''] : []),
    `| corruption | ${sevs.map((v) => `error s${v}`).join(' | ')} | mean error | mean calibration |`,
    `|---|${sevs.map(() => '---').join('|')}|---|---|`,
    ...s.corruptions.map((c) => `| ${c.corruption} | ${c.errorBySeverity.map(pct).join(' | ')} | ${pct(c.error)} | ${pct(c.calibration)} |`),
    `| **mean** | ${s.severities.map((x) => pct(x.error)).join(' | ')} | **${pct(s.overall.error)}** | **${pct(s.overall.calibration)}** |`,
    '',
  ].join('\n');
}

/** A named summary (a model, or a strategy averaged over seeds). */
export interface NamedSummary {
  readonly name: string;
  readonly summary: CifarCSummary;
}

/**
 * Figure 2 of the paper: per corruption, accuracy at `severity` (default 5) minus the baseline's,
 * in percentage points, one bar per model. Corruptions the baseline lacks are left out.
 */
export function renderGainFigure(models: readonly NamedSummary[], baseline: NamedSummary, severity = 5): Promise<Uint8Array> {
  const at = (s: CifarCSummary, name: string): number => {
    const i = s.severities.findIndex((x) => x.severity === severity);
    return i < 0 ? NaN : (s.corruptions.find((c) => c.corruption === name)?.errorBySeverity[i] ?? NaN);
  };
  const names = baseline.summary.corruptions.map((c) => c.corruption).filter((n) => models.some((m) => Number.isFinite(at(m.summary, n))));
  return renderBarChart({
    title: `Accuracy gain over ${baseline.name} at severity ${severity}`,
    subtitle: 'per corruption, percentage points (Soklaski et al. 2021, Figure 2)',
    categories: names,
    series: models.map((m) => ({ name: m.name, values: names.map((n) => 100 * (at(baseline.summary, n) - at(m.summary, n))) })),
    xLabel: 'corruption',
    yLabel: `accuracy gain over ${baseline.name} (points)`,
    format: (v) => `${v}`,
  });
}

/** Figure 3 of the paper: accuracy (mean over corruptions) against severity, one line per model. */
export function renderSeverityFigure(models: readonly NamedSummary[]): Promise<Uint8Array> {
  const sevs = [...new Set(models.flatMap((m) => m.summary.severities.map((s) => s.severity)))].sort((a, b) => a - b);
  return renderLineChart({
    title: 'Accuracy against corruption severity',
    subtitle: 'mean over corruptions (Soklaski et al. 2021, Figure 3)',
    categories: sevs.map(String),
    series: models.map((m) => ({ name: m.name, values: sevs.map((v) => 100 * (1 - (m.summary.severities.find((s) => s.severity === v)?.error ?? NaN))) })),
    xLabel: 'severity',
    yLabel: 'accuracy (%)',
    format: (v) => `${v}%`,
  });
}
