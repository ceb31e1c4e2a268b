import fg from 'fast-glob';
import { requireDir } from './requireDir.ts';

/** The on-disk layouts this project reads. */
export type DatasetKind = 'cifar10-bin' | 'cifar100-bin' | 'cifar-c' | 'image-folder';

/** The image files an image folder may hold (case-insensitive). */
export const IMAGE_EXTENSIONS = ['png', 'jpg', 'jpeg', 'webp'] as const;
const IMAGE_FOLDER = `an image folder (<class>/<image> or <split>/<class>/<image>, ${IMAGE_EXTENSIONS.join(', ')})`;

const LAYOUTS: readonly { kind: DatasetKind; what: string; matches: (files: readonly string[]) => boolean }[] = [
  {
    kind: 'cifar10-bin',
    what: 'CIFAR-10 binary (data_batch_<n>.bin and/or test_batch.bin)',
    matches: (files) => files.some((f) => /^data_batch_\d+\.bin$/.test(f) || f === 'test_batch.bin'),
  },
  {
    kind: 'cifar100-bin',
    what: 'CIFAR-100 binary (train.bin and/or test.bin)',
    matches: (files) => files.includes('train.bin') || files.includes('test.bin'),
  },
  {
    kind: 'cifar-c',
    what: 'CIFAR-10-C / CIFAR-100-C (labels.npy plus <corruption>.npy files)',
    matches: (files) => files.includes('labels.npy') && files.some((f) => f.endsWith('.npy') && f !== 'labels.npy'),
  },
];

/**
 * Says which dataset layout a folder holds, from its file names alone (the readers validate
 * contents).
 *
 * @throws Error naming the folder, the layouts looked for and the files found, when it matches
 *   none or more than one
 */
export async function detectDataset(dir: string): Promise<DatasetKind> {
  const what = [...LAYOUTS.map((l) => l.what), IMAGE_FOLDER].join('; ');
  await requireDir(dir, what);
  const files = await fg('*', { cwd: dir, onlyFiles: true });
  const hits = LAYOUTS.filter((l) => l.matches(files));
  if (hits.length === 1) return hits[0]!.kind;
  if (hits.length === 0) {
    const ext = `{${IMAGE_EXTENSIONS.join(',')}}`;
    const images = await fg([`*/*.${ext}`, `*/*/*.${ext}`], { cwd: dir, caseSensitiveMatch: false, onlyFiles: true, deep: 3 });
    if (images.length > 0) return 'image-folder';
  }
  const shown = files.slice(0, 8).join(', ') + (files.length > 8 ? `, ... (${files.length} files)` : '');
  if (hits.length === 0) throw new Error(`${dir}: not a recognised dataset folder; expected one of: ${what}; found: ${shown || 'no files'}`);
  throw new Error(`${dir}: ambiguous dataset folder, it matches ${hits.map((h) => h.kind).join(' and ')}; keep one layout per folder (found: ${shown})`);
}
