import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatMiB, formatPercent, formatRate } from './profileTable.ts';
import type { ProfileReport } from './profileReport.ts';

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

/**
 * `report.md` for the `main` pipeline, built only from the files under `runDir` (`preview/` and
 * `profile/`), so it can be rebuilt from a finished run on any machine. Links are relative.
 */
export async function mainReport(runDir: string): Promise<string> {
  const preview = await readJson<PreviewJson>(join(runDir, 'preview', 'preview.json'));
  const profile = await readJson<ProfileReport>(join(runDir, 'profile', 'profile.json'));
  const lines = ['# fourier-augmix: augmentation preview and data path profile', ''];
  if (preview) {
    lines.push(
      '## Augmentation preview',
      '',
      `${preview.strategies.length} strategies (${preview.strategies.map((s) => s.name).join(', ')}) on ${preview.images.length} images of ` +
        `${preview.dataset} (${preview.images.map((i) => i.class).join(', ')}), ${preview.samples} samples each, seed ${preview.seed}.`,
      '',
      '![augmentation preview](preview/preview.png)',
      '',
      'Sampled parameters of every cell: [preview/preview.json](preview/preview.json).',
      '',
    );
  }
  if (profile) {
    const augment = profile.profile.stages.find((s) => s.name === 'augment');
    lines.push(
      '## Data path profile',
      '',
      `${profile.images} images of ${profile.dataset} in ${(profile.elapsedMs / 1000).toFixed(2)} s: **${formatRate(profile.imagesPerSecond)} images/s** end to end` +
        (augment ? `; augment ${formatRate(augment.imagesPerSecond)} images/s on ${augment.threads} worker(s) at ${formatPercent(augment.utilisation)} utilisation` : '') +
        `; peak RSS ${formatMiB(profile.rss.peakBytes)}.`,
      '',
      'Details: [profile/profile.md](profile/profile.md), per-batch records in `profile/batches.msgpack`.',
      '',
    );
  }
  if (!preview && !profile) lines.push('Neither part of the run left its output (preview/preview.json, profile/profile.json).', '');
  return lines.join('\n');
}
