import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { readCifar10, readCifar100, type CifarSplit } from '../data/cifar.ts';
import type { Dataset } from '../data/dataset.ts';
import { detectDataset } from '../data/detectDataset.ts';
import { packageFile } from '../packageFiles.ts';
import { UsageError } from '../pipeline/usageError.ts';

/**
 * Resolves a `data=` parameter: relative paths against `cwd`, falling back to the package folder
 * so the default `data/cifar10-mini` (bundled) works from any working directory.
 */
export function resolveDataDir(dir: string, cwd: string): string {
  const here = resolve(cwd, dir);
  if (isAbsolute(dir) || existsSync(here)) return here;
  const bundled = packageFile(dir);
  return existsSync(bundled) ? bundled : here;
}

/**
 * Loads the `split` of the CIFAR-10 or CIFAR-100 binary folder `dir` (layout detected from the
 * file names). CIFAR-C folders are evaluation-only and are refused with a message saying so.
 *
 * @throws UsageError with the readers' message (naming the folder and file) for missing or malformed data
 */
export async function loadDataset(dir: string, split: CifarSplit, cwd: string): Promise<Dataset> {
  const path = resolveDataDir(dir, cwd);
  // Missing or malformed data is the user's to fix: an input error (exit 2), like a bad setting.
  const input = <T>(p: Promise<T>): Promise<T> =>
    p.catch((err: unknown) => {
      throw new UsageError(`data=${dir}: ${(err as Error).message}`, { cause: err });
    });
  const kind = await input(detectDataset(path));
  if (kind === 'cifar10-bin') return input(readCifar10(path, split));
  if (kind === 'cifar100-bin') return input(readCifar100(path, split));
  throw new UsageError(`data=${dir}: ${path} is a CIFAR-C folder (corrupted test images only); give a CIFAR-10/100 binary folder`);
}
