/**
 * Times the built package's corruptions in a plain Node process, as `fourier-augmix corrupt` runs
 * them: a module loader in the process (the tsx that runs the TypeScript benches) slows the same
 * compiled code measurably. Prints one JSON line: ms per image over the 5 severities of each
 * corruption on one core, and ms per image for the whole set through the worker pool.
 *
 *   node bench/corruptTimes.mjs <images>
 */
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { existsSync } from 'node:fs';
import { lastValueFrom } from 'rxjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const built = async (path) => {
  const file = join(ROOT, 'dist', path);
  if (!existsSync(file)) throw new Error(`${file} is missing: run npm run build`);
  return import(pathToFileURL(file).href);
};
const { readCifar10 } = await built('src/data/cifar.js');
const { subset } = await built('src/data/dataset.js');
const { corruptChunk } = await built('src/ops/corruptions/corruptChunk.js');
const { CORRUPTIONS } = await built('src/ops/corruptions/registry.js');
const { corruptDataset } = await built('src/streams/corrupt.js');

const n = Number(process.argv[2] ?? 200);
const ds = subset(await readCifar10(join(ROOT, 'data', 'cifar10-mini'), 'test'), 0, n);
const out = new Uint8Array(5 * n * ds.shape.width * ds.shape.height * ds.shape.channels);
const ours = {};
for (const name of CORRUPTIONS.keys()) {
  const spec = {
    pixels: ds.pixels,
    shape: ds.shape,
    corruption: name,
    preset: 'cifar',
    seed: 0,
    start: 0,
    out,
    outIndex: 0,
    severities: [1, 2, 3, 4, 5],
    severityStride: n,
  };
  // A few images first: lazily built tables and code the JIT has yet to optimise are not part of
  // the rate (a whole CIFAR-10-C is 10,000 images per corruption).
  await corruptChunk({ ...spec, count: Math.min(16, n) });
  const t = performance.now();
  // All five severities per image, as `corrupt` runs them (a kernel may share work between them).
  await corruptChunk({ ...spec, count: n });
  ours[name] = (performance.now() - t) / n;
}
// The whole set through the pool, as `fourier-augmix corrupt -w N` runs it (start-up included).
const pool = {};
for (const workers of [1, 2]) {
  const t = performance.now();
  await lastValueFrom(corruptDataset(ds, { corruptions: [...CORRUPTIONS.keys()], seed: 0, preset: 'cifar', workers, write: async () => undefined }));
  pool[workers] = (performance.now() - t) / n;
}
console.log(JSON.stringify({ ours, pool }));
