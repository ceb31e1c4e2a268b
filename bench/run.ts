/**
 * Side-by-side bench: the Pillow reference (bench/pil_reference.py, Debian's python3-pil) against
 * our data path on the same CIFAR images, 1 and 2 workers, passes alternating so machine noise hits
 * both. Prints a table with PASS/FAIL per target; writes bench/results/latest.{json,md}.
 *
 *   node --import tsx bench/run.ts [--images N] [--passes K] [--quick]     (or: npm run bench)
 *
 * --images N: Pillow images per worker per pass (default view 5000, jsd 2500: ~2 s each). Ours
 * runs whole epochs over the same 1,017 images (data_batch_1.bin), as many as its warm-up rate
 * says fill ~2 s. --quick: a fifth of the images, 1 pass, and the memory run on 1,017 images.
 * --chunk N: augment's chunkSize (default 64; 128 = the batch size lets batches pass without a copy).
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import { loadTrain, measureKernel, measureMemory, measureOps, measureStream, slope, warmPool, defaultStreamOptions, type Measurement, type Mode } from './datapath.ts';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./pil_reference.py', import.meta.url));
const RESULTS = fileURLToPath(new URL('./results/', import.meta.url));
const TARGET = { ratio: 10, scaling: 1.7, flatMB: 16 };
const SAME_IMAGES = 1017; // data_batch_1.bin, what the Pillow side reads

/** `pillow`: the reference recipe as cifar.py writes it (torchvision transforms); `lean`: the same in numpy/PIL. */
interface Row { mode: Mode; workers: number; path: 'stream' | 'kernel'; pillow: number | null; lean: number | null; ours: number; pillowRuns: number[]; leanRuns: number[]; oursRuns: number[]; busy?: number }
type Preprocess = 'torchvision' | 'numpy';

const run = promisify(execFile);
const best = (xs: number[]): number => Math.max(...xs);
const fmt = (x: number | null, d = 0): string => (x === null ? 'n/a' : x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }));
const verdict = (ok: boolean | null): string => (ok === null ? 'n/a' : ok ? 'PASS' : 'FAIL');

/** CPU ticks: busy on the whole machine, and used by this process plus its waited-for children (Linux). */
function ticks(): { all: number; mine: number } | null {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const self = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ').map(Number);
    return { all: cpu.reduce((a, b) => a + b, 0) - cpu[3]! - cpu[4]!, mine: self[11]! + self[12]! + self[13]! + self[14]! };
  } catch {
    return null;
  }
}

/**
 * What the machine gives two CPU-bound threads right now: throughput of 2 concurrent copies of a
 * typed-array loop (L1-sized, like ours) over 1 copy. On an idle 2-core machine ~2; SMT siblings or a busy host give less,
 * which caps the 2-worker target for any code, the reference's included.
 */
async function machineParallelism(): Promise<number> {
  const code = `const { parentPort } = require('node:worker_threads'); const a = new Uint8Array(32768).map((_, i) => i * 7);
    const f = new Float32Array(32768); for (let r = 0; r < 6000; r++) for (let i = 0; i < 32768; i++) f[i] = f[i] * 0.5 + a[i] * 0.25;
    parentPort.postMessage(f[0]);`;
  const spin = (n: number): Promise<number> => {
    const t = performance.now();
    return Promise.all(Array.from({ length: n }, () => new Promise((r) => new Worker(code, { eval: true }).once('message', r)))).then(() => performance.now() - t);
  };
  await spin(1);
  const one = Math.min(await spin(1), await spin(1));
  return (2 * one) / Math.min(await spin(2), await spin(2));
}

function pillowAvailable(): string | null {
  try {
    execFileSync(PYTHON, ['-c', 'import PIL, numpy'], { stdio: 'ignore' });
    return null;
  } catch {
    return `${PYTHON} with PIL and numpy is missing: running ours only (install Debian's python3-pil python3-numpy for the side-by-side)`;
  }
}

function torchvisionAvailable(): boolean {
  try {
    execFileSync(PYTHON, ['-c', 'import torch, torchvision'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function pillow(mode: Mode, images: number, processes: number, preprocess: Preprocess): Promise<number> {
  const { stdout } = await run(PYTHON, [SCRIPT, mode, String(images), String(processes), '--passes', '1', '--preprocess', preprocess]);
  return (JSON.parse(stdout.trim().split('\n').pop()!) as { imagesPerSecond: number }).imagesPerSecond;
}

export async function main(argv: string[]): Promise<number> {
  const arg = (name: string): string | undefined => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
  const quick = argv.includes('--quick');
  const passes = Math.max(1, Math.floor(Number(arg('--passes') ?? (quick ? 1 : 3))) || 1);
  const imagesFor = (mode: Mode): number => Number(arg('--images') ?? 0) || (mode === 'view' ? 5000 : 2500) / (quick ? 5 : 1);
  const opts = { ...defaultStreamOptions, chunkSize: Number(arg('--chunk') ?? defaultStreamOptions.chunkSize) };
  const noPillow = pillowAvailable();
  if (noPillow) console.log(noPillow);
  const tv = !noPillow && torchvisionAvailable();
  if (!noPillow && !tv) console.log(`${PYTHON} has no torch/torchvision: the reference column uses the numpy restatement (apt-get install python3-torchvision for the literal recipe)`);

  const parallelBefore = await machineParallelism();
  const t0 = ticks();
  const wall0 = performance.now();
  const train = await loadTrain();
  const same = await loadTrain(SAME_IMAGES);
  const rows: Row[] = [];
  for (const mode of ['view', 'jsd'] as const) {
    for (const workers of [1, 2]) {
      const { pool, rate } = await warmPool(same, mode, workers);
      const epochs = Math.max(2, Math.round((2 * rate) / (quick ? 5 : 1) / same.count));
      const stream: Row = { mode, workers, path: 'stream', pillow: null, lean: null, ours: 0, pillowRuns: [], leanRuns: [], oursRuns: [] };
      const kernel: Row = { mode, workers: 1, path: 'kernel', pillow: null, lean: null, ours: 0, pillowRuns: [], leanRuns: [], oursRuns: [] };
      for (let p = 0; p < passes; p++) {
        const ours = (): Promise<Measurement> => measureStream(same, mode, pool, epochs, opts);
        const pil = async (): Promise<void> => {
          if (noPillow) return;
          const n = imagesFor(mode) * workers;
          stream.leanRuns.push(await pillow(mode, n, workers, 'numpy'));
          stream.pillowRuns.push(tv ? await pillow(mode, n, workers, 'torchvision') : stream.leanRuns.at(-1)!);
        };
        // Alternate who goes first, so drift in machine load favours neither.
        if (p % 2 === 0) await pil();
        const m = await ours();
        if (!stream.oursRuns.length || m.imagesPerSecond > best(stream.oursRuns)) stream.busy = m.utilisation;
        stream.oursRuns.push(m.imagesPerSecond);
        if (p % 2 === 1) await pil();
        if (workers === 1) kernel.oursRuns.push(measureKernel(same, mode, epochs * same.count).imagesPerSecond);
        console.log(`  ${mode} ${workers}w pass ${p + 1}: reference ${fmt(stream.pillowRuns.at(-1) ?? null)} img/s, lean ${fmt(stream.leanRuns.at(-1) ?? null)} img/s, ours ${fmt(stream.oursRuns.at(-1)!)} img/s` +
          (workers === 1 ? `, ours kernel ${fmt(kernel.oursRuns.at(-1)!)} img/s` : ''));
      }
      await pool.destroy();
      for (const r of workers === 1 ? [stream, kernel] : [stream]) {
        r.ours = best(r.oursRuns);
        r.pillow = stream.pillowRuns.length ? best(stream.pillowRuns) : null;
        r.lean = stream.leanRuns.length ? best(stream.leanRuns) : null;
        rows.push(r);
      }
    }
  }

  console.log('  memory: 10 epochs of the JSD stream, 2 workers ...');
  const mem = await measureMemory(quick ? same : train, 2, 10);
  // Flat once warm: the fitted trend of the per-epoch peak RSS over epochs 6-10 (the first epochs
  // are V8 growing its heaps to their working size), scaled to 10 epochs, stays within the bound.
  const settled = mem.peakMB.slice(5);
  const growthMB = slope(settled) * 9;
  const opsOurs = measureOps(same, quick ? 2000 : 20000);
  const opsPillow = noPillow ? {} : (JSON.parse((await run(PYTHON, [SCRIPT, 'ops', '--preprocess', tv ? 'torchvision' : 'numpy'])).stdout) as { microseconds: Record<string, number> }).microseconds;

  const t1 = ticks();
  const parallelAfter = await machineParallelism();
  // Share of all cores that other processes used during the run: they perturb both sides.
  const others = t0 && t1 ? Math.max(0, (t1.all - t0.all - (t1.mine - t0.mine)) / 100 / ((performance.now() - wall0) / 1000) / cpus().length) : null;
  const stream = (mode: Mode, w: number): Row => rows.find((r) => r.mode === mode && r.workers === w && r.path === 'stream')!;
  const scaling = (mode: Mode): number => stream(mode, 2).ours / stream(mode, 1).ours;
  const md: string[] = [];
  const out = (line = ''): void => {
    console.log(line);
    md.push(line);
  };
  out(`## fourier-augmix data path vs Pillow reference (${new Date().toISOString()})`);
  out();
  out(`${cpus().length} cores (${cpus()[0]?.model ?? '?'}), Node ${process.version}; ${passes} pass(es), best kept; same ${same.count} CIFAR-10 images; ` +
    `ours: epochs → augment → batch(${opts.batchSize}) → release, chunkSize ${opts.chunkSize}; kernel: Augmenter + augmentChunk on one thread, no pool. ` +
    'Ours always does flip + pad-4 crop; the Pillow view mode does not (it is aug(x) alone).');
  const noisy = others !== null && others > 0.05 ? ' **Other processes competed for the cores: figures, above all 2-worker ones, are perturbed; rerun on an idle machine.**' : '';
  out(`Machine parallelism (2 copies of a typed-array loop vs 1): ${parallelBefore.toFixed(2)}x before the run, ${parallelAfter.toFixed(2)}x after; the 2-worker target assumes ~2x.`);
  out(`Other processes used ${others === null ? 'n/a' : (100 * others).toFixed(0) + '%'} of the ${cpus().length} cores during this run.${noisy}`);
  out();
  out(`Reference: the recipe as cifar.py writes it (${tv ? 'torchvision ToTensor/Normalize/RandomCrop, torch float32 mixing' : 'torchvision missing: numpy restatement'}). ` +
    'Lean: the same arithmetic restated in numpy/PIL, faster than the reference itself; its ratio is shown for transparency.');
  out();
  out('| mode | workers | path | reference img/s | lean img/s | ours img/s | ours/reference (per worker) | ours/lean | target | | pool threads busy |');
  out('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const ratio = r.pillow ? r.ours / r.pillow : null;
    const lean = r.lean ? `${(r.ours / r.lean).toFixed(2)}x` : 'n/a';
    const target = r.path === 'stream' ? `≥ ${TARGET.ratio}x` : 'info';
    out(`| ${r.mode === 'view' ? 'one AugMix view' : 'JSD triple + flip/crop + norm'} | ${r.workers} | ${r.path} | ${fmt(r.pillow)} | ${fmt(r.lean)} | ${fmt(r.ours)} | ` +
      `${ratio === null ? 'n/a' : ratio.toFixed(2) + 'x'} | ${lean} | ${target} | ${r.path === 'stream' ? verdict(ratio === null ? null : ratio >= TARGET.ratio) : ''} | ${r.busy === undefined ? '' : (100 * r.busy).toFixed(0) + '%'} |`);
  }
  out();
  for (const mode of ['view', 'jsd'] as const) {
    const pil = stream(mode, 1).pillow && stream(mode, 2).pillow ? ` (Pillow ${(stream(mode, 2).pillow! / stream(mode, 1).pillow!).toFixed(2)}x)` : '';
    out(`Scaling ${mode}, ours 2 workers / 1 worker: ${scaling(mode).toFixed(2)}x${pil}, target ≥ ${TARGET.scaling}x: ${verdict(scaling(mode) >= TARGET.scaling)}`);
  }
  out();
  out(`RSS over 10 epochs (JSD stream, 2 workers, ${(quick ? same : train).count} images/epoch; MB; start ${mem.startMB.toFixed(0)}):`);
  out(`- end of each epoch: ${mem.rssMB.map((x) => x.toFixed(0)).join(', ')}`);
  out(`- peak within each epoch: ${mem.peakMB.map((x) => x.toFixed(0)).join(', ')}`);
  out(`- trend of the peaks over epochs 6-10, per 10 epochs: ${growthMB >= 0 ? '+' : ''}${growthMB.toFixed(1)} MB, target ≤ ${TARGET.flatMB} MB: ${verdict(growthMB <= TARGET.flatMB)}`);
  out();
  out('Per call on 32x32 CIFAR, one thread, best of 5 rounds, µs (ours: kernel with sampled severity-3 params; Pillow: the op function incl. its draws):');
  out();
  out('| step | Pillow µs | ours µs | Pillow/ours |');
  out('|---|---|---|---|');
  const pairs: [string, string | null, string | null][] = [
    ...['autocontrast', 'equalize', 'posterize', 'solarize', 'rotate', 'shear_x', 'shear_y', 'translate_x', 'translate_y'].map((k): [string, string, string] => [k, k, k]),
    ['ToTensor + Normalize / normalize', 'preprocess', 'normalize'],
    ['flip + pad-4 crop', 'flip_crop', null],
    ['one op draw (np.random.choice)', 'choice', null],
    ['sampleParams, one view', null, 'sampleParams (view)'],
    ['sampleParams, JSD sample', null, 'sampleParams (jsd)'],
    ['flip/crop + mix of 3 one-copy chains', null, 'flip/crop + mix of 3 copy chains'],
    ['whole sample: one AugMix view', 'view', 'whole sample (view)'],
    ['whole sample: flip/crop + JSD triple', 'jsd', 'whole sample (jsd)'],
  ];
  for (const [label, py, ts] of pairs) {
    const a = py ? (opsPillow[py] ?? null) : null;
    const b = ts ? (opsOurs[ts] ?? null) : null;
    out(`| ${label} | ${fmt(a, 1)} | ${fmt(b, 2)} | ${a !== null && b ? (a / b).toFixed(1) + 'x' : ''} |`);
  }

  mkdirSync(RESULTS, { recursive: true });
  const json = { date: new Date().toISOString(), reference: tv ? 'torchvision' : 'numpy', stream: opts, cpus: cpus().length, otherProcessesCpuShare: others, machineParallelism: [parallelBefore, parallelAfter], node: process.version, passes, quick, pillow: noPillow ?? 'ok', rows, scaling: { view: scaling('view'), jsd: scaling('jsd') }, memory: mem, ops: { ours: opsOurs, pillow: opsPillow } };
  writeFileSync(`${RESULTS}latest.json`, JSON.stringify(json, null, 2) + '\n');
  writeFileSync(`${RESULTS}latest.md`, md.join('\n') + '\n');
  const failed = rows.some((r) => r.path === 'stream' && r.pillow !== null && !(r.ours / r.pillow >= TARGET.ratio)) ||
    !(scaling('view') >= TARGET.scaling && scaling('jsd') >= TARGET.scaling && growthMB <= TARGET.flatMB);
  console.log(`\nwrote ${RESULTS}latest.json and latest.md; ${failed ? 'some targets FAILED' : 'all targets PASS'}`);
  return failed ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await main(process.argv.slice(2));
