/**
 * Corruption bench: ms per image for every corruption x 5 severities, ours on one core beside the
 * original generator's formulas (bench/cifar_c_reference.py on Debian's Python packages) on the
 * same images in the same run, and the ratio; then the whole set through the worker pool at 1
 * and 2 workers (wall time, start-up included). Writes <out>/corrupt.json and corrupt.md.
 *
 *   node --import tsx bench/corrupt.ts [--images N] [--out DIR]   (also: npm run bench -- --suite corrupt)
 *
 * Ours is the built package (dist/, made by npm run build), timed by corruptTimes.mjs in a plain
 * Node process, as the CLI runs it. The original's
 * time is its corruption loop alone (Python start-up and saving excluded). frost
 * needs the original's full-size textures, which are not shipped, so its row has no original time.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';
import type * as RegistryModule from '../src/ops/corruptions/registry.ts';
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
const { CORRUPTIONS } = await built<typeof RegistryModule>('src/ops/corruptions/registry.js');

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
  const ref = await original(n);
  // Ours in a plain Node process, as the CLI runs it (see corruptTimes.mjs).
  const { stdout } = await run(process.execPath, [join(ROOT, 'bench', 'corruptTimes.mjs'), String(n)], { maxBuffer: 1 << 20 });
  const times = JSON.parse(stdout.trim().split('\n').pop()!) as { ours: Record<string, number>; pool: Record<string, number> };
  const pool = times.pool;
  const rows: Row[] = Object.entries(times.ours).map(([corruption, ours]) => {
    const o = ref?.[corruption];
    return { corruption, ours, original: o === undefined ? null : (o * 1000) / n };
  });
  for (const r of rows)
    console.log(`  ${r.corruption.padEnd(18)} ours ${r.ours.toFixed(2)} ms/image, original ${r.original === null ? 'n/a' : r.original.toFixed(2)}`);
  for (const [workers, ms] of Object.entries(pool)) console.log(`  all corruptions, ${workers} worker(s): ${ms.toFixed(1)} ms/image (wall)`);
  const both = rows.filter((r) => r.original !== null);
  const total = { ours: both.reduce((s, r) => s + r.ours, 0), original: both.reduce((s, r) => s + r.original!, 0) };
  const f = (x: number | null): string => (x === null ? 'n/a' : x.toFixed(2));
  const md = [
    `## Corruptions: ours vs the original generator (${new Date().toISOString()})`,
    '',
    `${n} CIFAR-10 test images (bundled), each corruption at severities 1-5; ms per image over the 5 severities. ` +
      `Ours (the built package) on one core, in a plain Node process as the CLI runs it (bench/corruptTimes.mjs); the original's formulas through Debian's Python packages (its corruption loop alone).`,
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
