import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { ProfileReport } from './profileReport.ts';
import { formatMiB, formatPercent, formatRate } from './profileTable.ts';
import { readRun, seedEvalDirs, type RunResults } from './paperReport.ts';
import { percent } from './percent.ts';

/** Reads a JSON file a run wrote, or null when it is missing (that part did not run). */
async function readJson<T>(path: string): Promise<T | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`${path}: cannot read run output: ${(err as Error).message}`, { cause: err });
  }
}

interface PreviewJson {
  readonly dataset: string;
  readonly seed: number;
  readonly samples: number;
  readonly images: readonly { readonly class: string }[];
  readonly strategies: readonly { readonly name: string }[];
}

/** One strategy's headline numbers (first seed): what `npm start` prints and report.md tabulates. */
export interface MainRow {
  readonly strategy: string;
  readonly run: RunResults;
  readonly testError: number | null;
  readonly testCalibration: number | null;
  readonly cError: number | null;
  /** Error on the attacked images without a perturbation: the baseline of the attack columns. */
  readonly attackClean: number | null;
  /** Mean error over the attack grid, per "alignment norm" (e.g. `aligned 4`). */
  readonly fourier: ReadonlyMap<string, number>;
}

/** Reads the headline numbers of each training run in `runs`. */
export async function mainRows(runs: readonly string[]): Promise<MainRow[]> {
  const rows: MainRow[] = [];
  for (const dir of runs) {
    const run = await readRun(dir);
    const s = run.seeds[0];
    const fourier = new Map((s?.fourier?.slices ?? []).map((x) => [`${x.alignment} ${x.norm}`, x.error.mean] as const));
    rows.push({
      strategy: run.strategy,
      run,
      testError: s?.test?.error ?? null,
      testCalibration: s?.test?.calibration ?? null,
      cError: s?.cifarC?.summary.overall.error ?? null,
      attackClean: s?.fourier?.clean?.error ?? null,
      fourier,
    });
  }
  return rows;
}

/** The attack slices present in any row, in a stable order: alignment, then norm. */
export const sliceKeys = (rows: readonly MainRow[]): string[] => [...new Set(rows.flatMap((r) => [...r.fourier.keys()]))].sort();

/**
 * `report.md` of the `main` pipeline, built only from files under `runDir` (preview, profile, the
 * trained runs and their evaluations, the study report), so it can be rebuilt on any machine.
 * Links are relative to `runDir`.
 */
export async function mainReport(runDir: string, runs: readonly string[], studyReport: string | null, setup: string): Promise<string> {
  const rel = (p: string): string => relative(runDir, p);
  const preview = await readJson<PreviewJson>(join(runDir, 'preview', 'preview.json'));
  const profile = await readJson<ProfileReport>(join(runDir, 'profile', 'profile.json'));
  const rows = runs.length ? await mainRows(runs) : [];
  const slices = sliceKeys(rows);
  const lines = ['# fourier-augmix: the main job on the bundled data', '', setup, ''];
  if (rows.length) {
    lines.push(
      '## Results',
      '',
      'Test error and RMS calibration error on the clean test images, error on our CIFAR-10-C made of them (the corruptions implemented x 5 severities), ' +
        'then the attacked images: their error unperturbed, and the mean error over the Fourier-attack grid per alignment and ℓ2 norm. ' +
        "Small-scale numbers: the direction is what to read, above all how far each model's error rises from its unperturbed baseline.",
      '',
      `| strategy | test error | calibration | CIFAR-10-C error | attacked images, unperturbed | ${slices.map((k) => `Fourier ${k}`).join(' | ')} |`,
      `|---|---|---|---|---|${slices.map(() => '---').join('|')}|`,
      ...rows.map(
        (r) =>
          `| ${r.strategy} | ${percent(r.testError)} | ${percent(r.testCalibration)} | ${percent(r.cError)} | ${percent(r.attackClean)} | ${slices.map((k) => percent(r.fourier.get(k))).join(' | ')} |`,
      ),
      '',
      '### Error under the Fourier attack (lowest frequency at the centre)',
      '',
    );
    for (const r of rows) {
      const dir = seedEvalDirs(join(r.run.dir, `seed-${r.run.seeds[0]?.seed ?? 0}`)).fourier;
      const maps = slices.filter((k) => existsSync(join(dir, `heatmap-${k.replace(' ', '-norm')}.png`)));
      lines.push(`**${r.strategy}**`, '', ...maps.map((k) => `![${r.strategy}, ${k}](${rel(join(dir, `heatmap-${k.replace(' ', '-norm')}.png`))})`), '');
    }
    if (studyReport) lines.push(`Tables 1 and 2 in the paper's layout, and Figures 1-3: [${rel(studyReport)}](${rel(studyReport)}).`, '');
  }
  if (preview) {
    lines.push(
      '## Augmentation preview',
      '',
      `${preview.strategies.length} strategies (${preview.strategies.map((s) => s.name).join(', ')}) on ${preview.images.length} images of ` +
        `${preview.dataset} (${preview.images.map((i) => i.class).join(', ')}), ${preview.samples} samples each, seed ${preview.seed}.`,
      '',
      '![augmentation preview](preview/preview.png)',
      '',
    );
  }
  if (profile) {
    const augment = profile.profile.stages.find((s) => s.name === 'augment');
    lines.push(
      '## Data path profile',
      '',
      `${profile.images} images of ${profile.dataset} in ${(profile.elapsedMs / 1000).toFixed(2)} s: **${formatRate(profile.imagesPerSecond)} images/s** end to end` +
        (augment
          ? `; augment ${formatRate(augment.imagesPerSecond)} images/s (average since start) on ${augment.threads} worker(s) at ${formatPercent(augment.utilisation)} utilisation`
          : '') +
        `; peak RSS ${formatMiB(profile.rss.peakBytes)}. Bottleneck: ${profile.verdict.line}. Details: [profile/profile.md](profile/profile.md).`,
      '',
    );
  }
  return lines.join('\n');
}
