import { basename, join, resolve } from 'node:path';
import fg from 'fast-glob';
import { readCifarBinary } from './cifarBinary.ts';
import { readClassNames } from './classNames.ts';
import type { Dataset } from './dataset.ts';
import { requireDir } from './requireDir.ts';

/** Which half of a CIFAR release to read. */
export type CifarSplit = 'train' | 'test';

/** Options for `readCifar100`. */
export interface Cifar100Options {
  /** Which label to keep: the 100 fine classes (default) or the 20 coarse superclasses. */
  readonly labels?: 'fine' | 'coarse';
}

/**
 * Reads the CIFAR-10 binary version (`cifar-10-batches-bin`, or the bundled `data/cifar10-mini`):
 * train is every `data_batch_<n>.bin` in numeric order, test is `test_batch.bin`; class names
 * come from `batches.meta.txt`. Pixels end up NHWC in one shared buffer.
 *
 * @param dir - the folder holding the `.bin` files
 * @throws Error naming the folder or file: missing folder/files, a size that is not a whole
 *   number of 3073-byte records (with expected and actual sizes), a label outside 0..9
 */
export async function readCifar10(dir: string, split: CifarSplit): Promise<Dataset> {
  const wanted = split === 'train' ? 'data_batch_<n>.bin' : 'test_batch.bin';
  await requireDir(dir, `CIFAR-10 binary ${split} files (${wanted})`);
  const found = await fg(split === 'train' ? 'data_batch_*.bin' : 'test_batch.bin', { cwd: dir, onlyFiles: true });
  const numbered = found
    .map((f) => ({ f, n: /^data_batch_(\d+)\.bin$/.exec(f)?.[1] }))
    .filter((x) => split === 'test' || x.n !== undefined)
    // Numeric, so data_batch_10 follows data_batch_9 rather than data_batch_1.
    .sort((a, b) => Number(a.n ?? 0) - Number(b.n ?? 0));
  if (numbered.length === 0) throw new Error(`${dir}: no CIFAR-10 ${split} files found (looked for ${wanted})`);
  const classes = await readClassNames(join(dir, 'batches.meta.txt'), 10);
  const files = numbered.map((x) => join(dir, x.f));
  return readCifarBinary(`${basename(resolve(dir))}/${split}`, files, { labelBytes: 1, labelIndex: 0, classes });
}

/**
 * Reads the CIFAR-100 binary version (`cifar-100-binary`): `train.bin` or `test.bin`, records of
 * coarse label, fine label, 3072 pixel bytes; names from `fine_label_names.txt` (100) or
 * `coarse_label_names.txt` (20). Pixels end up NHWC in one shared buffer.
 *
 * @param dir - the folder holding the `.bin` files
 * @throws Error naming the folder or file: missing folder/files, a size that is not a whole
 *   number of 3074-byte records (with expected and actual sizes), a label out of range
 */
export async function readCifar100(dir: string, split: CifarSplit, options: Cifar100Options = {}): Promise<Dataset> {
  const kind = options.labels ?? 'fine';
  const file = `${split}.bin`;
  await requireDir(dir, `CIFAR-100 binary ${split} file (${file})`);
  const found = await fg(file, { cwd: dir, onlyFiles: true });
  if (found.length === 0) throw new Error(`${dir}: no CIFAR-100 ${split} file found (looked for ${file})`);
  const classes = await readClassNames(join(dir, `${kind}_label_names.txt`), kind === 'fine' ? 100 : 20);
  const name = `${basename(resolve(dir))}/${split}${kind === 'coarse' ? ' (coarse)' : ''}`;
  return readCifarBinary(name, [join(dir, file)], { labelBytes: 2, labelIndex: kind === 'fine' ? 1 : 0, classes });
}
