/**
 * Corruption bench: ms per image for every corruption x 5 severities, ours on one core beside the
 * original generator's formulas (bench/cifar_c_reference.py on Debian's Python packages) on the
 * same images in the same run, and the ratio; then the whole set through the worker pool at 1
 * and 2 workers (wall time, start-up included). Writes <out>/corrupt.json and corrupt.md.
 *
 *   node --import tsx bench/corrupt.ts [--images N] [--out DIR]   (also: npm run bench -- --suite corrupt)
 *
 * Ours is the built package (dist/, made by npm run build), as the CLI runs it. The original's
 * time is its corruption loop alone (Python start-up and saving excluded). frost
 * needs the original's full-size textures, which are not shipped, so its row has no original time.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { lastValueFrom } from 'rxjs';
import { readCifar10 } from '../src/data/cifar.ts';
import { subset } from '../src/data/dataset.ts';
import { existsSync } from 'node:fs';
import type * as ChunkModule from '../src/ops/corruptions/corruptChunk.ts';
import type * as RegistryModule from '../src/ops/corruptions/registry.ts';
import type * as CorruptModule from '../src/streams/corrupt.ts';
import { PYTHON, pythonHas } from './machine.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DATA = join(ROOT, 'data', 'cifar10-mini');

/**
 * The built package (`npm run build`), as `fourier-augmix corrupt` runs it: the sources through
 * tsx carry a name-keeping helper on every inner function that slows some kernels by half.
 */
async function built<T>(path: string): Promise<T> {
  const file = join(ROOT, 'dist', path);
  if (!existsSync(file)) throw new Error(`bench/corrupt.ts measures the built package: ${file} is missing; run npm run build`);
  return (await import(pathToFileURL(file).href)) as T;
}
const { corruptChunk } = await built<typeof ChunkModule>('src/ops/corruptions/corruptChunk.js');
const { CORRUPTIONS } = await built<typeof RegistryModule>('src/ops/corruptions/registry.js');
const { corruptDataset } = await built<typeof CorruptModule>('src/streams/corrupt.js');

interface Row {
  corruption: string;
  /** ms per image over its 5 severities, one core, in-process. */
  ours: number;
  original: number | null;
}

const arg = (argv: string[], name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};

/** The original's seconds per corruption on the first `n` test images, or null without its Python packages. */
async function original(n: number): Promise<Record<string, number> | null> {
  if (!pythonHas('numpy, scipy, skimage, cv2, wand.image')) return null;
  const dir = mkdtempSync(join(tmpdir(), 'fa-bench-corrupt-'));
  try {
    const names = [...CORRUPTIONS.keys()].filter((c) => c !== 'frost');
    await run(
      PYTHON,
      [
        join(ROOT, 'bench', 'cifar_c_reference.py'),
        '--input',
        DATA,
        '--count',
        String(n),
        '--output',
        dir,
        '--corruptions',
        names.join(','),
        '--timings',
        join(dir, 't.json'),
      ],
      {
        maxBuffer: 1 << 20,
      },
    );
    return JSON.parse(readFileSync(join(dir, 't.json'), 'utf8')) as Record<string, number>;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function main(argv: string[]): Promise<number> {
  const n = Number(arg(argv, 'images') ?? 200);
  const outDir = resolve(arg(argv, 'out') ?? join(ROOT, 'bench', 'results'));
  const ds = subset(await readCifar10(DATA, 'test'), 0, n);
  const out = new Uint8Array(n * 32 * 32 * 3);
  const out5 = new Uint8Array(5 * n * 32 * 32 * 3);
  const rows: Row[] = [];
  const ref = await original(n);
  for (const name of CORRUPTIONS.keys()) {
    // A few images first: lazily built tables and code the JIT has yet to optimise are not part of
    // the rate (a whole CIFAR-10-C is 10,000 images per corruption).
    const spec = { pixels: ds.pixels, shape: ds.shape, corruption: name, preset: 'cifar', seed: 0, start: 0, out, outIndex: 0 } as const;
    await corruptChunk({ ...spec, severities: [1, 2, 3, 4, 5], count: Math.min(16, n), out: out5, severityStride: n });
    // All five severities per image, as `corrupt` runs them (a kernel may share work between them).
    const t = performance.now();
    await corruptChunk({ ...spec, severities: [1, 2, 3, 4, 5], count: n, out: out5, severityStride: n });
    const ours = (performance.now() - t) / n;
    const o = ref?.[name];
    rows.push({ corruption: name, ours, original: o === undefined ? null : (o * 1000) / n });
    console.log(`  ${name.padEnd(18)} ours ${ours.toFixed(2)} ms/image, original ${o === undefined ? 'n/a' : ((o * 1000) / n).toFixed(2)}`);
  }
  // The whole set through the pool, as `fourier-augmix corrupt -w N` runs it (start-up included).
  const pool: Record<string, number> = {};
  for (const workers of [1, 2]) {
    const t = performance.now();
    await lastValueFrom(corruptDataset(ds, { corruptions: [...CORRUPTIONS.keys()], seed: 0, preset: 'cifar', workers, write: async () => undefined }));
    pool[`${workers}`] = (performance.now() - t) / n;
    console.log(`  all corruptions, ${workers} worker(s): ${pool[`${workers}`]!.toFixed(1)} ms/image (wall)`);
  }
  const both = rows.filter((r) => r.original !== null);
  const total = { ours: both.reduce((s, r) => s + r.ours, 0), original: both.reduce((s, r) => s + r.original!, 0) };
  const f = (x: number | null): string => (x === null ? 'n/a' : x.toFixed(2));
  const md = [
    `## Corruptions: ours vs the original generator (${new Date().toISOString()})`,
    '',
    `${n} CIFAR-10 test images (bundled), each corruption at severities 1-5; ms per image over the 5 severities. ` +
      `Ours (the built package) on one core, in-process; the original's formulas through Debian's Python packages (its corruption loop alone).`,
    '',
    '| corruption | ours (ms/image) | original (ms/image) | original / ours |',
    '|---|---:|---:|---:|',
    ...rows.map((r) => `| ${r.corruption} | ${f(r.ours)} | ${f(r.original)} | ${r.original === null ? 'n/a' : `${(r.original / r.ours).toFixed(1)}x`} |`),
    `| **total, ${both.length} corruptions with both** | ${f(total.ours)} | ${f(total.original)} | ${total.original ? `${(total.original / total.ours).toFixed(1)}x` : 'n/a'} |`,
    '',
    `Through the worker pool, all ${rows.length} corruptions (start-up included): ${f(pool['1']!)} ms/image on 1 worker, ${f(pool['2']!)} on 2.`,
    '',
  ];
  console.log(md.join('\n'));
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'corrupt.json'), JSON.stringify({ date: new Date().toISOString(), images: n, rows, pool, total }, null, 2) + '\n');
  writeFileSync(join(outDir, 'corrupt.md'), md.join('\n'));
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await main(process.argv.slice(2));
