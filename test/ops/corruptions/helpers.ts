import { fileURLToPath } from 'node:url';
import { readCifar10 } from '../../../src/data/cifar.ts';
import { subset, type Dataset } from '../../../src/data/dataset.ts';
import type { Image } from '../../../src/ops/image.ts';
import { corruptChunk } from '../../../src/ops/corruptions/corruptChunk.ts';
import type { Severity } from '../../../src/ops/corruptions/corruption.ts';

export const MINI = fileURLToPath(new URL('../../../data/cifar10-mini', import.meta.url));

/** The first `n` images of the bundled test split. */
export async function testImages(n: number): Promise<Dataset> {
  return subset(await readCifar10(MINI, 'test'), 0, n);
}

/** `corruption` at `severity` on every image of `ds` (seed 0), in-process. */
export async function corruptAll(ds: Dataset, corruption: string, severity: Severity, seed = 0): Promise<Uint8Array> {
  const out = new Uint8Array(ds.pixels.length);
  await corruptChunk({
    pixels: ds.pixels,
    shape: ds.shape,
    corruption,
    severities: [severity],
    preset: 'cifar',
    seed,
    start: 0,
    count: ds.count,
    out,
    outIndex: 0,
  });
  return out;
}

/** A w x h RGB image of one grey level. */
export function flat(level: number, w = 64, h = 64): Image {
  return { width: w, height: h, channels: 3, data: new Uint8Array(w * h * 3).fill(level) };
}

/** Mean |a - b| in levels. */
export function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]! - b[i]!);
  return s / a.length;
}
