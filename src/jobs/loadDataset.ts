import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { readCifar10, readCifar100, type CifarSplit } from '../data/cifar.ts';
import type { Dataset } from '../data/dataset.ts';
import { detectDataset } from '../data/detectDataset.ts';
import { readImageFolder, type ImageFolderDataset, type ImageSize } from '../data/imageFolder.ts';
import { packageFile } from '../packageFiles.ts';
import { Subject, type Observable } from 'rxjs';
import { event, type PipelineEvent } from '../pipeline/events.ts';
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

/** How an image folder is read (CIFAR folders ignore these). */
export interface LoadOptions {
  readonly size?: ImageSize | undefined;
  readonly skipBad?: boolean | undefined;
  readonly onProgress?: ((done: number, total: number) => void) | undefined;
}

/**
 * Loads the `split` of a CIFAR-10 or CIFAR-100 binary folder or of an image folder
 * (`<split>/<class>/<image>` or `<class>/<image>`; layout detected from the file names). CIFAR-C
 * folders are evaluation-only and are refused with a message saying so.
 *
 * @throws UsageError with the readers' message (naming the folder and file) for missing or malformed data
 */
export async function loadDataset(dir: string, split: CifarSplit, cwd: string, options: LoadOptions = {}): Promise<Dataset> {
  const path = resolveDataDir(dir, cwd);
  // Missing or malformed data is the user's to fix: an input error (exit 2), like a bad setting.
  const input = <T>(p: Promise<T>): Promise<T> =>
    p.catch((err: unknown) => {
      throw new UsageError(`data=${dir}: ${(err as Error).message}`, { cause: err });
    });
  const kind = await input(detectDataset(path));
  if (kind === 'cifar10-bin') return input(readCifar10(path, split));
  if (kind === 'cifar100-bin') return input(readCifar100(path, split));
  if (kind === 'image-folder') return input(readImageFolder(path, split, options));
  throw new UsageError(`data=${dir}: ${path} is a CIFAR-C folder (corrupted test images only); give a CIFAR-10/100 binary folder`);
}

/**
 * A progress bar for decoding image folders: pass `onProgress` to `loadDataset` and merge
 * `events` into the run's events; `done()` ends them (call it however loading ends). Updates are
 * sent at most every 100 ms, and at the end.
 */
export function decodeProgress(stage = 'decode images'): {
  events: Observable<PipelineEvent>;
  onProgress: (done: number, total: number) => void;
  done: () => void;
} {
  const events = new Subject<PipelineEvent>();
  let last = 0;
  return {
    events,
    onProgress: (done, total) => {
      const now = performance.now();
      if (done < total && now - last < 100) return;
      last = now;
      events.next(event.preparing(stage, done, total, 'images'));
    },
    done: () => events.complete(),
  };
}

/** What loading an image folder did, as log lines (none for other datasets). */
export function loadNotes(ds: Dataset): string[] {
  const f = ds as Partial<ImageFolderDataset>;
  if (f.cached === undefined) return [];
  const { width, height } = ds.shape;
  const lines = [`${ds.name}: ${ds.count} images of ${ds.classes.length} classes, ${height}x${width}${f.cached ? ' (from the cache)' : ''}`];
  if (f.skipped?.length)
    lines.push(`${ds.name}: skipped ${f.skipped.length} unreadable file(s): ${f.skipped.slice(0, 5).join(', ')}${f.skipped.length > 5 ? ', ...' : ''}`);
  return lines;
}
