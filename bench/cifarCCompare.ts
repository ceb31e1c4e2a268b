/**
 * Compares `fourier-augmix corrupt` with the original CIFAR-C generator, restated in
 * bench/cifar_c_reference.py and run through Debian's Python packages, on the first N images of
 * the bundled test set. For each corruption it reports, in 0-255 levels averaged over all values
 * of all severities:
 *   ours vs original:   mean |ours - original| (same clean images; for random corruptions the two
 *                       use different random streams, so compare it with the next column)
 *   original vs original: mean |original(seed 0) - original(seed 1)|, the floor for random ones
 *   same draws:         mean |ours - original| when both take the same recorded uniform / normal /
 *                       randint draws (the reference's --replay), for the corruptions whose draws
 *                       map one to one: the deterministic ones, gaussian/speckle noise, glass_blur,
 *                       fog, elastic_transform, spatter. This checks everything but the random generator.
 *   distance ours / original: mean |corrupted - clean| per severity 1..5, ours then the original's
 * Writes bench/results/cifar-c-compare.md, or cifar-c-compare-<preset>.md for another preset.
 *
 *   node --import tsx bench/cifarCCompare.ts [--count N] [--corruptions a,b] [--preset P --images DIR]
 *   (default 200, all, cifar on the bundled data; tiny-imagenet and imagenet default to the 64x64 and
 *   224x224 images of test/fixtures/corrupt-sizes; needs /usr/bin/python3 with python3-skimage
 *   python3-scipy python3-wand python3-opencv imagemagick)
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { readCifar10 } from '../src/data/cifar.ts';
import { imageBytes, subset } from '../src/data/dataset.ts';
import { readImageFolder } from '../src/data/imageFolder.ts';
import { CORRUPTION_PRESETS, PRESETS, type CorruptionPreset } from '../src/ops/corruptions/presets.ts';
import { readNpy } from '../src/data/npy.ts';
import { corruptChunk } from '../src/ops/corruptions/corruptChunk.ts';
import type { Severity } from '../src/ops/corruptions/corruption.ts';
import { CORRUPTIONS } from '../src/ops/corruptions/registry.ts';
import { imageAt } from '../src/ops/image.ts';
import type { Rng } from '../src/ops/rng.ts';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
};
const preset = arg('preset', 'cifar') as CorruptionPreset;
if (!CORRUPTION_PRESETS.includes(preset)) throw new Error(`--preset must be one of ${CORRUPTION_PRESETS.join(', ')}`);
const images = preset === 'cifar' ? null : arg('images', `test/fixtures/corrupt-sizes/${preset === 'imagenet' ? 'imagenet' : 'tiny'}`);
const count = Number(arg('count', '200'));
const only = arg('corruptions', '');
const names = [...CORRUPTIONS.keys()].filter((n) => only === '' || only.split(',').includes(n));
const tmp = mkdtempSync(join(tmpdir(), 'cifar-c-compare-'));

const REPLAYABLE = new Set([
  'gaussian_noise',
  'speckle_noise',
  'glass_blur',
  'fog',
  'elastic_transform',
  'defocus_blur',
  'zoom_blur',
  'brightness',
  'contrast',
  'pixelate',
  'jpeg_compression',
  'gaussian_blur',
  'saturate',
  'spatter',
  'motion_blur',
  'snow',
  'frost',
]);

const reference = async (seed: number, replay = false): Promise<string> => {
  const out = join(tmp, `ref${seed}${replay ? 'r' : ''}`);
  const which = replay ? names.filter((n) => REPLAYABLE.has(n)) : names;
  const args = [
    'bench/cifar_c_reference.py',
    '--preset',
    preset,
    ...(images ? ['--images'] : []),
    '--input',
    images ?? 'data/cifar10-mini',
    '--count',
    String(count),
    '--seed',
    String(seed),
    '--output',
    out,
    '--corruptions',
    which.join(','),
  ];
  if (replay) args.push('--replay');
  args.push('--frost-dir', 'data/frost');
  await run('/usr/bin/python3', args, { cwd: root, maxBuffer: 1 << 24 });
  return out;
};

const [ref0, ref1, refR] = await Promise.all([reference(0), reference(1), reference(0, true)]);
const U = (await readNpy(join(refR, 'u.npy'))).data as Float64Array;
const Z = (await readNpy(join(refR, 'z.npy'))).data as Float64Array;
const INTS = (await readNpy(join(refR, 'ints.npy'))).data as Int32Array;

/** A stand-in Rng that hands out the reference's recorded draws, from the start for every image. */
function replayRng(): Rng {
  let u = 0;
  let z = 0;
  let i = 0;
  const fake = {
    uniform: () => U[u++]!,
    range: (lo: number, hi: number) => lo + (hi - lo) * U[u++]!,
    normal: () => Z[z++]!,
    normals: (out: Float64Array) => {
      for (let j = 0; j < out.length; j++) out[j] = Z[z++]!;
    },
    // glass_blur's rng.int(2) - 1 must give the recorded randint(-1, 1); other ranges (frost)
    // are floor(n u) on both sides.
    int: (n: number) => (n === 2 ? INTS[i++]! + 1 : Math.floor(n * U[u++]!)),
  };
  return fake as unknown as Rng;
}

async function withSameDraws(name: string): Promise<Uint8Array> {
  const out = new Uint8Array(5 * ds.count * size);
  const c = CORRUPTIONS.get(name)!;
  for (let s = 1; s <= 5; s++) {
    for (let k = 0; k < ds.count; k++) {
      await c.apply(imageAt(ds.pixels, ds.shape, k), imageAt(out, ds.shape, (s - 1) * ds.count + k).data, s as Severity, preset, replayRng());
    }
  }
  return out;
}
const all = images ? await readImageFolder(join(root, images), 'test') : await readCifar10(join(root, 'data/cifar10-mini'), 'test');
const ds = subset(all, 0, Math.min(count, all.count));
const size = imageBytes(ds.shape);
const mad = (a: Uint8Array, b: Uint8Array, from = 0, to = a.length): number => {
  let s = 0;
  for (let i = from; i < to; i++) s += Math.abs(a[i]! - b[i]!);
  return s / (to - from);
};
const distance = (x: Uint8Array, severity: number): number => {
  let s = 0;
  for (let i = 0; i < ds.count * size; i++) s += Math.abs(x[(severity - 1) * ds.count * size + i]! - ds.pixels[i]!);
  return s / (ds.count * size);
};

const rows: string[] = [];
for (const name of names) {
  const ours = new Uint8Array(5 * ds.count * size);
  for (let s = 1; s <= 5; s++) {
    await corruptChunk({
      pixels: ds.pixels,
      shape: ds.shape,
      corruption: name,
      severities: [s as Severity],
      preset,
      seed: 0,
      start: 0,
      count: ds.count,
      out: ours,
      outIndex: (s - 1) * ds.count,
    });
  }
  const o0 = (await readNpy(join(ref0, `${name}.npy`))).data as Uint8Array;
  const o1 = (await readNpy(join(ref1, `${name}.npy`))).data as Uint8Array;
  let same = 'n/a';
  if (REPLAYABLE.has(name)) {
    const a = await withSameDraws(name);
    const b = (await readNpy(join(refR, `${name}.npy`))).data as Uint8Array;
    let differ = 0;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) differ++;
    same = `${mad(a, b).toFixed(3)} (${differ} of ${a.length} values differ)`;
  }
  let exact = 0;
  for (let i = 0; i < ours.length; i++) if (ours[i] === o0[i]) exact++;
  const sev = [1, 2, 3, 4, 5];
  rows.push(
    `| ${name} | ${mad(ours, o0).toFixed(3)} | ${mad(o0, o1).toFixed(3)} | ${same} | ${((100 * exact) / ours.length).toFixed(3)}% | ` +
      `${sev.map((s) => distance(ours, s).toFixed(2)).join(' / ')} | ${sev.map((s) => distance(o0, s).toFixed(2)).join(' / ')} |`,
  );
  console.log(rows.at(-1));
}

const md = [
  `# fourier-augmix corrupt vs the original ${PRESETS[preset].release} generator`,
  '',
  `First ${ds.count} images of ${images ?? 'data/cifar10-mini/test_batch.bin'}, all 5 severities, with the constants of ${PRESETS[preset].script}. Original: bench/cifar_c_reference.py`,
  "on Debian bookworm's numpy 1.24, scipy 1.10, scikit-image 0.19, OpenCV 4.6, Pillow 9.4, ImageMagick 6.9.11 Q16 through",
  "Wand (seeds 0 and 1); frost reads data/frost. Same draws: both sides take the reference's recorded draws (`--replay`).",
  `Ours: seed 0. All figures in 0-255 levels. Produced by \`node --import tsx bench/cifarCCompare.ts --count ${count}${preset === 'cifar' ? '' : ` --preset ${preset}`}\` on ${new Date().toISOString().slice(0, 10)}.`,
  '',
  '| corruption | mean abs diff ours vs original | original seed 0 vs seed 1 | ours vs original, same draws | identical values (ours vs original) | mean distance from clean, ours (sev 1/2/3/4/5) | original (sev 1/2/3/4/5) |',
  '|---|---|---|---|---|---|---|',
  ...rows,
  '',
].join('\n');
// A partial run (--corruptions) only prints its rows.
if (only === '') {
  const file = `bench/results/cifar-c-compare${preset === 'cifar' ? '' : `-${preset}`}.md`;
  writeFileSync(join(root, file), md);
  console.log(`wrote ${file}`);
}
