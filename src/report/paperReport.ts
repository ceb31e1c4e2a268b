import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { writeFileAtomic } from '../data/atomic.ts';
import type { CellRecord } from '../data/fourierResults.ts';
import { fourierGrid } from '../ops/fourierGrid.ts';
import { renderGainFigure, renderSeverityFigure, summariseCifarC, type CifarCCell, type CifarCReport, type NamedSummary } from './cifarCSummary.ts';
import type { FourierReport } from './fourierReport.ts';
import { renderHeatmap } from './heatmap.ts';
import { meanStd, type MeanStd, type SeedSummary } from './seedSummary.ts';
import { percent } from './percent.ts';

/** The paper's column order; other strategies follow alphabetically. */
const ORDER = ['Base', 'AugF', 'AugS', 'AugSF', 'AugSV', 'AugSVC', 'AugSVF'];

/** Where the evaluations of one seed live inside a training run (what the `paper` pipeline writes). */
export const seedEvalDirs = (seedDir: string): { cifarC: string; fourier: string } => ({ cifarC: join(seedDir, 'cifar-c'), fourier: join(seedDir, 'fourier') });

/** One finished training run with whatever evaluations exist for its seeds. */
export interface RunResults {
  readonly dir: string;
  readonly strategy: string;
  /** The dataset's folder name, e.g. `cifar-10-batches-bin`. */
  readonly dataset: string;
  readonly seeds: readonly {
    readonly seed: number;
    readonly test: { error: number; calibration: number } | null;
    readonly cifarC: CifarCReport | null;
    readonly fourier: FourierReport | null;
  }[];
}

async function readJson<T>(path: string): Promise<T | null> {
  return existsSync(path) ? (JSON.parse(await readFile(path, 'utf8')) as T) : null;
}

/**
 * Reads a training run folder (`summary.json`, `config.json`, `seed-<n>/`) and the evaluations
 * found in `seed-<n>/cifar-c/` and `seed-<n>/fourier/`.
 *
 * @throws Error naming the folder when it is not a finished training run
 */
export async function readRun(dir: string): Promise<RunResults> {
  const summary = await readJson<SeedSummary>(join(dir, 'summary.json'));
  if (!summary) throw new Error(`${dir}: not a finished training run (no summary.json; train writes it when every seed is done)`);
  const config = await readJson<{ params?: { data?: string } }>(join(dir, 'config.json'));
  const dataset = config?.params?.data ? basename(resolve(config.params.data)) : summary.dataset.split('/')[0]!;
  const seeds = [];
  for (const s of summary.seeds) {
    const seedDir = join(dir, `seed-${s.seed}`);
    const evals = seedEvalDirs(seedDir);
    seeds.push({
      seed: s.seed,
      test: s.test ? { error: s.test.error, calibration: s.test.calibration } : null,
      cifarC: await readJson<CifarCReport>(join(evals.cifarC, 'cifar-c.json')),
      fourier: await readJson<FourierReport>(join(evals.fourier, 'fourier.json')),
    });
  }
  return { dir, strategy: summary.strategy, dataset, seeds };
}

/** Mean ± std over seeds; a single seed has no spread to show, so it says n = 1 instead. */
const pctMs = (m: (MeanStd & { n: number }) | null): string =>
  m && Number.isFinite(m.mean) ? (m.n === 1 ? `${percent(m.mean, 1, '')} (n = 1)` : `${percent(m.mean, 1, '')} ± ${percent(m.std, 1, '')}`) : 'n/a';
const ms = (xs: (number | undefined)[]): (MeanStd & { n: number }) | null => {
  const v = xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  return v.length ? { ...meanStd(v), n: v.length } : null;
};

/**
 * One run per (dataset, strategy): the seeds of a strategy trained in several folders are combined.
 *
 * @throws Error naming both folders when two hold the same seed of the same strategy and dataset
 */
function combineRuns(runs: readonly RunResults[]): RunResults[] {
  const groups = new Map<string, RunResults>();
  for (const run of runs) {
    const key = `${run.dataset}\u0000${run.strategy}`;
    const seen = groups.get(key);
    if (!seen) {
      groups.set(key, run);
      continue;
    }
    const twice = run.seeds.find((s) => seen.seeds.some((t) => t.seed === s.seed));
    if (twice) {
      const other = seen.dir.split(' + ').find((d) => runs.some((r) => r.dir === d && r.seeds.some((s) => s.seed === twice.seed)));
      throw new Error(`two runs of ${run.strategy} on ${run.dataset} hold seed ${twice.seed}: ${other} and ${run.dir}; give one of them`);
    }
    groups.set(key, { ...seen, dir: `${seen.dir} + ${run.dir}`, seeds: [...seen.seeds, ...run.seeds].sort((a, b) => a.seed - b.seed) });
  }
  return [...groups.values()];
}
const rank = (s: string): number => (ORDER.includes(s) ? ORDER.indexOf(s) : ORDER.length);

/** Cells averaged over seeds (same corruption and severity), then summarised. */
function seedAveragedCifarC(run: RunResults): NamedSummary | null {
  const reports = run.seeds.flatMap((s) => (s.cifarC ? [s.cifarC] : []));
  if (!reports.length) return null;
  const cells: CifarCCell[] = reports[0]!.cells.map((c) => {
    const same = reports.map((r) => r.cells.find((x) => x.corruption === c.corruption && x.severity === c.severity)).filter((x): x is CifarCCell => !!x);
    const avg = (f: (x: CifarCCell) => number): number => same.reduce((a, x) => a + f(x), 0) / same.length;
    return { ...c, error: avg((x) => x.error), calibration: avg((x) => x.calibration), calibrationReference: NaN, loss: avg((x) => x.loss) };
  });
  return { name: run.strategy, summary: summariseCifarC(cells) };
}

/**
 * Builds the paper's Table 1 (clean and -C error and calibration, mean ± std over seeds), Table 2
 * (Fourier attack mean (max) per norm, averaged over seeds) and Figures 1-3 from finished runs
 * into `outDir`: `report.md` beside the PNGs. Runs of one strategy on one dataset in several
 * folders are combined (their seeds must differ). Returns the files written.
 */
export async function writePaperReport(runDirs: readonly string[], outDir: string): Promise<string[]> {
  const runs = combineRuns(await Promise.all(runDirs.map(readRun))).sort(
    (a, b) => a.dataset.localeCompare(b.dataset) || rank(a.strategy) - rank(b.strategy) || a.strategy.localeCompare(b.strategy),
  );
  const datasets = [...new Set(runs.map((r) => r.dataset))];
  const strategies = [...new Set(runs.map((r) => r.strategy))].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const find = (d: string, s: string): RunResults | undefined => runs.find((r) => r.dataset === d && r.strategy === s);
  await mkdir(outDir, { recursive: true });
  const written: string[] = [];
  const md: string[] = [
    '# Fourier-based augmentations: results',
    '',
    `From ${runs.length} training run(s): ${runs.map((r) => `${r.strategy} on ${r.dataset} (${r.seeds.length} seed(s), ${r.dir})`).join('; ')}.`,
    "Errors and RMS calibration errors in percent, mean ± std over seeds (the paper: 4 seeds, WRN-40-2). Calibration sums every bin of 100 (Hendrycks' calib_err leaves the last one out).",
    '',
    '## Table 1: clean and corrupted test sets',
    '',
    `| data | ${strategies.join(' | ')} |`,
    `|---|${strategies.map(() => '---').join('|')}|`,
  ];
  for (const d of datasets) {
    const row = (label: string, pick: (r: RunResults) => (MeanStd & { n: number }) | null): string =>
      `| ${label} | ${strategies
        .map((s) => {
          const r = find(d, s);
          return r ? pctMs(pick(r)) : 'n/a';
        })
        .join(' | ')} |`;
    md.push(row(`${d} err`, (r) => ms(r.seeds.map((s) => s.test?.error))));
    md.push(row(`${d} cal`, (r) => ms(r.seeds.map((s) => s.test?.calibration))));
    md.push(row(`${d}-C err`, (r) => ms(r.seeds.map((s) => s.cifarC?.summary.overall.error))));
    md.push(row(`${d}-C cal`, (r) => ms(r.seeds.map((s) => s.cifarC?.summary.overall.calibration))));
  }
  md.push('', '## Table 2: Fourier attack', '', 'Mean (max) over every wave vector, averaged over seeds; per norm and alignment.', '');
  for (const d of datasets) {
    const withF = strategies.filter((s) => find(d, s)?.seeds.some((x) => x.fourier));
    if (!withF.length) continue;
    const slices = (r: RunResults) => r.seeds.flatMap((s) => (s.fourier ? s.fourier.slices : []));
    const keys = [...new Map(withF.flatMap((s) => slices(find(d, s)!)).map((x) => [`${x.alignment}|${x.norm}|${x.phaseFactor}`, x])).values()];
    for (const metric of ['error', 'calibration'] as const) {
      md.push(
        `**${d}, ${metric === 'error' ? 'error' : 'RMS calibration error'}**`,
        '',
        `| alignment | norm | ${withF.join(' | ')} |`,
        `|---|---|${withF.map(() => '---').join('|')}|`,
      );
      for (const k of keys) {
        const cell = (s: string): string => {
          const xs = slices(find(d, s)!).filter((x) => x.alignment === k.alignment && x.norm === k.norm && x.phaseFactor === k.phaseFactor);
          if (!xs.length) return 'n/a';
          const m = meanStd(xs.map((x) => x[metric].mean)).mean;
          const M = meanStd(xs.map((x) => x[metric].max)).mean;
          return `${(100 * m).toFixed(1)} (${(100 * M).toFixed(1)})${xs.some((x) => x.cells < x.expected) ? ' [incomplete]' : ''}`;
        };
        md.push(`| ${k.alignment} | ${k.norm} | ${withF.map(cell).join(' | ')} |`);
      }
      md.push('');
    }
  }
  md.push('## Figures', '');
  for (const d of datasets) {
    const named = strategies
      .map((s) => find(d, s))
      .flatMap((r) => {
        const n = r && seedAveragedCifarC(r);
        return n ? [n] : [];
      });
    if (named.length) {
      const f3 = join(outDir, `figure3-${d}.png`);
      await writeFileAtomic(f3, await renderSeverityFigure(named));
      written.push(f3);
      md.push(`![Figure 3, ${d}](${basename(f3)})`, '');
      const base = named.find((n) => n.name === 'Base');
      const others = named.filter((n) => n.name !== 'Base');
      if (base && others.length) {
        const f2 = join(outDir, `figure2-${d}.png`);
        await writeFileAtomic(f2, await renderGainFigure(others, base));
        written.push(f2);
        md.push(`![Figure 2, ${d}](${basename(f2)})`, '');
      }
    }
    for (const s of strategies) {
      const r = find(d, s);
      const reports = r?.seeds.flatMap((x) => (x.fourier ? [x.fourier] : [])) ?? [];
      if (!reports.length) continue;
      const fp = reports[0]!.fingerprint;
      const grid = fourierGrid(fp.grid);
      const norm = Math.max(...fp.grid.norms);
      for (const alignment of fp.grid.alignments) {
        const cells = grid.filter((c) => c.norm === norm && c.alignment === alignment && c.phaseFactor === fp.grid.phaseFactors[0]);
        const values = cells.flatMap((c) => {
          const xs = reports.map((rep) => rep.cells.find((x: CellRecord) => x.key === c.key)).filter((x): x is CellRecord => !!x);
          return xs.length ? [{ kx: c.kx, ky: c.ky, value: xs.reduce((a, x) => a + x.error, 0) / xs.length }] : [];
        });
        const f1 = join(outDir, `figure1-${d}-${s}-${alignment}-norm${norm}.png`);
        await writeFileAtomic(
          f1,
          await renderHeatmap({
            title: `${s} on ${d}: error under the Fourier attack`,
            subtitle: `‖U‖₂ = ${norm}, ${alignment}, phase ${fp.grid.phaseFactors[0]}·2π (${fp.grid.convention}); mean over ${reports.length} seed(s)`,
            height: fp.grid.height,
            width: fp.grid.width,
            values,
            min: 0,
            max: 1,
            label: 'error',
            format: (v) => `${Math.round(100 * v)}%`,
            ...(fp.grid.kStep === undefined ? {} : { step: fp.grid.kStep }),
          }),
        );
        written.push(f1);
        md.push(`![Figure 1, ${s}, ${d}, ${alignment}](${basename(f1)})`);
      }
      md.push('');
    }
  }
  const report = join(outDir, 'report.md');
  await writeFileAtomic(report, `${md.join('\n')}\n`);
  return [report, ...written];
}
