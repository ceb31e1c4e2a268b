/**
 * Training bench: one JSD step (3 x batch images through the net, backward, SGD update) of WRN-40-2
 * and WRN-16-2 on every tfjs backend present, beside the same step in PyTorch CPU (Debian's
 * python3-torch, bench/torch_train.py) with the same thread count, in one run; inference of
 * WRN-40-2 at batch 256 likewise; plus the data path's share of a step. Writes
 * bench/results/train.{json,md}.
 *
 *   node --import tsx bench/train.ts [--quick] [--infer] [--no-datapath] [--backends webgpu,native,wasm]   (also part of: npm run bench)
 *
 * webgpu rows name their adapter, software or hardware; a software adapter (a CPU rasteriser) is
 * measured only when --backends names webgpu.
 *
 * tfjs wasm runs one thread in Node (threads are disabled there), so its row is compared with
 * PyTorch at 1 thread. The native backend (oneDNN) runs at 1 and 2 threads, each beside PyTorch
 * at the same count; the ratio column compares each row with PyTorch at the row's thread count.
 */
import * as tf from '@tensorflow/tfjs-core';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { lastValueFrom, toArray } from 'rxjs';
import { readCifar10 } from '../src/data/cifar.ts';
import { subset } from '../src/data/dataset.ts';
import { selectBackend, type BackendName } from '../src/model/backend.ts';
import { setNativeThreads } from '../src/model/native/addon.ts';
import { Sgd } from '../src/model/sgd.ts';
import { referenceRecipe, train, type EpochEvent } from '../src/model/train.ts';
import { trainStep } from '../src/model/trainStep.ts';
import { wasmMicroBatch } from '../src/model/wasmMicroBatch.ts';
import { createWrn } from '../src/model/wrn.ts';
import { strategies } from '../src/ops/strategy.ts';
import { loadTrain, measureKernel } from './datapath.ts';
import { PYTHON, pythonHas } from './machine.ts';

const SCRIPT = fileURLToPath(new URL('./torch_train.py', import.meta.url));
const RESULTS = fileURLToPath(new URL('./results/', import.meta.url));
const DATA = fileURLToPath(new URL('../data/cifar10-mini/', import.meta.url));
const run = promisify(execFile);

interface Model {
  depth: number;
  widen: number;
  batch: number;
}
/** `micro`: samples per pass on wasm, whose 4 GiB heap cannot hold WRN-40-2's 3 x 64 images at once. */
interface Row {
  model: string;
  batch: number;
  backend: string;
  threads: number;
  ours: number | null;
  torch1: number | null;
  torch2: number | null;
  note: string;
}

async function torchStep(m: Model, threads: number, steps: number, infer = false): Promise<number | null> {
  try {
    const args = [SCRIPT, String(m.depth), String(m.widen), String(m.batch), String(threads), String(steps), ...(infer ? ['--infer'] : [])];
    const { stdout } = await run(PYTHON, args, { maxBuffer: 1 << 20 });
    return (JSON.parse(stdout.trim().split('\n').pop()!) as { imagesPerSecond: number }).imagesPerSecond;
  } catch {
    return null;
  }
}

/** Images/s through the net of our JSD step on the active backend (median of `steps` timed steps). */
async function ourStep(m: Model, steps: number, micro = m.batch): Promise<number> {
  const net = createWrn({ depth: m.depth, widen: m.widen, classes: 10, seed: 0 });
  const sgd = new Sgd(net.params, { momentum: 0.9, nesterov: true, weightDecay: 5e-4 });
  const images = tf.randomNormal([3 * m.batch, 32, 32, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  const labels = tf.tensor1d(
    Array.from({ length: m.batch }, (_, i) => i % 10),
    'int32',
  );
  const tb = { epoch: 0, step: 0, index: 0, size: m.batch, views: 3, images, labels, dispose: () => undefined };
  await trainStep(net, sgd, tb, 0.1, micro, 'w'); // warm-up: kernels compiled, memory grown
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t = performance.now();
    await trainStep(net, sgd, tb, 0.1, micro, 's');
    times.push(performance.now() - t);
  }
  tf.dispose([images, labels]);
  sgd.dispose();
  net.dispose();
  times.sort((a, b) => a - b);
  return (3 * m.batch) / (times[Math.floor(times.length / 2)]! / 1000);
}

/** Images/s of evaluation-mode inference on the active backend (median of `steps` timed batches). */
async function ourInfer(m: Model, steps: number): Promise<number> {
  const net = createWrn({ depth: m.depth, widen: m.widen, classes: 10, seed: 0 });
  const images = tf.randomNormal([m.batch, 32, 32, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  const once = async (): Promise<number> => {
    const t = performance.now();
    const out = net.forward(images);
    await out.data();
    out.dispose();
    return performance.now() - t;
  };
  await once();
  const times: number[] = [];
  for (let i = 0; i < steps; i++) times.push(await once());
  times.sort((a, b) => a - b);
  images.dispose();
  net.dispose();
  return m.batch / (times[Math.floor(times.length / 2)]! / 1000);
}

/** A real epoch slice through the stream (augment on 2 workers, WRN-16-2): how long the model waited for data. */
async function dataWait(images: number): Promise<EpochEvent> {
  const ds = subset(await readCifar10(DATA, 'train'), 0, images);
  const dir = mkdtempSync(join(tmpdir(), 'fa-bench-train-'));
  try {
    const events = await lastValueFrom(
      train({
        train: ds,
        strategy: strategies.AugSVF!,
        runDir: dir,
        resume: false,
        config: { ...referenceRecipe, depth: 16, widen: 2, epochs: 1, batchSize: 64, microBatch: 64, seed: 0, holdout: 0, workers: 2 },
      }).pipe(toArray()),
    );
    return events.find((e): e is EpochEvent => e.type === 'epoch')!;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function main(argv: string[]): Promise<number> {
  const quick = argv.includes('--quick');
  const inferOnly = argv.includes('--infer');
  const hasTorch = pythonHas('torch');
  const models: Model[] = inferOnly
    ? []
    : [
        { depth: 40, widen: 2, batch: 64 },
        { depth: 16, widen: 2, batch: 64 },
      ];
  const rows: Row[] = [];
  const only = argv.includes('--backends') ? argv[argv.indexOf('--backends') + 1]!.split(',') : null;
  const backends = (['tensorflow-gpu', 'webgpu', 'tensorflow', 'native', 'wasm'] as BackendName[]).filter((b) => only === null || only.includes(b));
  /** Per backend, what its rows say about the device (webgpu: the adapter, software or hardware). */
  const device = new Map<BackendName, string>();
  /** [backend, threads] pairs to run: native at 1 and 2 threads, the others at their default. */
  const runs = async (): Promise<[BackendName, number][]> => {
    const out: [BackendName, number][] = [];
    for (const b of backends) {
      let selected;
      try {
        selected = await selectBackend(b);
      } catch {
        continue; // not installed here: the row is simply absent
      }
      const adapter = selected.adapter;
      if (adapter) {
        const name = adapter.device || adapter.description || adapter.vendor;
        device.set(b, `${adapter.software ? 'software' : 'hardware'} adapter: ${name}`);
        // A CPU rasteriser takes minutes per WRN-40-2 step: measured only when asked for by name.
        if (adapter.software && only === null) {
          console.log(`  webgpu: a software adapter (${name}); --backends webgpu measures it`);
          continue;
        }
      }
      if (b === 'native') out.push([b, 1], [b, 2]);
      else out.push([b, b === 'wasm' ? 1 : 0]);
    }
    return out;
  };
  const present = await runs();
  const use = async (b: BackendName, threads: number): Promise<void> => {
    await selectBackend(b);
    if (b === 'native') setNativeThreads(threads);
  };
  for (const m of models) {
    const name = `WRN-${m.depth}-${m.widen}`;
    const steps = quick ? 1 : 3;
    const [torch1, torch2] = hasTorch ? [await torchStep(m, 1, steps), await torchStep(m, 2, steps)] : [null, null];
    for (const [b, threads] of present) {
      await use(b, threads);
      const micro = b === 'wasm' ? wasmMicroBatch(m.depth, m.widen, 3, m.batch) : m.batch;
      const ours = await ourStep(m, steps, micro);
      const note = [micro < m.batch ? `micro-batches of ${micro} (${3 * micro} images per pass; the 4 GiB wasm heap)` : '', device.get(b) ?? '']
        .filter(Boolean)
        .join('; ');
      rows.push({ model: name, batch: m.batch, backend: b, threads, ours, torch1, torch2, note });
      console.log(
        `  ${name} b${m.batch} ${b} ${threads}T: ours ${ours.toFixed(1)} img/s, torch 1T ${torch1?.toFixed(1) ?? 'n/a'}, 2T ${torch2?.toFixed(1) ?? 'n/a'}`,
      );
    }
  }
  // Inference: WRN-40-2 at batch 256, evaluation mode.
  const inferRows: Row[] = [];
  {
    const m: Model = { depth: 40, widen: 2, batch: 256 };
    const steps = quick ? 2 : 5;
    const [torch1, torch2] = hasTorch ? [await torchStep(m, 1, steps, true), await torchStep(m, 2, steps, true)] : [null, null];
    for (const [b, threads] of present) {
      await use(b, threads);
      const ours = await ourInfer(m, steps);
      inferRows.push({ model: 'WRN-40-2', batch: m.batch, backend: b, threads, ours, torch1, torch2, note: device.get(b) ?? '' });
      console.log(
        `  infer WRN-40-2 b256 ${b} ${threads}T: ours ${ours.toFixed(1)} img/s, torch 1T ${torch1?.toFixed(1) ?? 'n/a'}, 2T ${torch2?.toFixed(1) ?? 'n/a'}`,
      );
    }
  }
  if (inferOnly || argv.includes('--no-datapath')) {
    const lines = writeTables(rows, inferRows, null, hasTorch);
    mkdirSync(RESULTS, { recursive: true });
    writeFileSync(`${RESULTS}train${inferOnly ? '-infer' : ''}.md`, lines.join('\n') + '\n');
    return 0;
  }
  // The pure-JS cpu backend is ~100x slower than wasm: one small-model step shows the order.
  await selectBackend('cpu');
  const tiny: Model = { depth: 10, widen: 1, batch: 2 };
  const cpuRate = await ourStep(tiny, 1);
  await selectBackend('wasm');
  const wasmTiny = await ourStep(tiny, 1);
  rows.push({
    model: 'WRN-10-1',
    batch: tiny.batch,
    backend: 'cpu',
    threads: 1,
    ours: cpuRate,
    torch1: hasTorch ? await torchStep(tiny, 1, 1) : null,
    torch2: null,
    note: `wasm: ${wasmTiny.toFixed(1)} img/s`,
  });

  const wait = await dataWait(quick ? 640 : 1280);
  const augmentMsPerSample = 1000 / measureKernel(await loadTrain(1017), 'jsd', quick ? 1017 : 3 * 1017).imagesPerSecond;
  const stepMsPerSample = 1000 / wait.samplesPerSecond;
  const md = writeTables(rows, inferRows, { wait, augmentMsPerSample, stepMsPerSample }, hasTorch);
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(
    `${RESULTS}train.json`,
    JSON.stringify({ date: new Date().toISOString(), rows, inferRows, dataWait: wait, augmentMsPerSample, stepMsPerSample }, null, 2) + '\n',
  );
  writeFileSync(`${RESULTS}train.md`, md.join('\n') + '\n');
  return 0;
}

/** The markdown report (also printed). */
function writeTables(
  rows: Row[],
  inferRows: Row[],
  data: { wait: EpochEvent; augmentMsPerSample: number; stepMsPerSample: number } | null,
  hasTorch: boolean,
): string[] {
  const md: string[] = [];
  const out = (line = ''): void => {
    console.log(line);
    md.push(line);
  };
  const f = (x: number | null): string => (x === null ? 'n/a' : x.toFixed(1));
  /** Ours over PyTorch at the row's thread count (1 for wasm and the cpu backend). */
  const ratio = (r: Row): string => {
    const t = r.threads === 2 ? r.torch2 : r.torch1;
    return r.ours && t ? `${(r.ours / t).toFixed(2)}x` : 'n/a';
  };
  const table = (rs: Row[]): void => {
    out('| model | batch | our backend | threads | ours img/s | PyTorch 1 thread | PyTorch 2 threads | ours / PyTorch (same threads) | note |');
    out('|---|---|---|---|---|---|---|---|---|');
    for (const r of rs)
      out(`| ${r.model} | ${r.batch} | ${r.backend} | ${r.threads || 'default'} | ${f(r.ours)} | ${f(r.torch1)} | ${f(r.torch2)} | ${ratio(r)} | ${r.note} |`);
  };
  if (rows.length) {
    out(`## Training step: ours vs PyTorch CPU (${new Date().toISOString()})`);
    out();
    out(
      'One JSD step (clean + 2 AugMix views through one forward pass, CE + 12·JS, backward, SGD Nesterov + weight decay), images through the net per second, median of timed steps after a warm-up. ' +
        `PyTorch: Debian's python3-torch ${hasTorch ? '' : '(missing) '}with torch.set_num_threads(T). tfjs wasm runs 1 thread in Node; native runs at the thread count shown.`,
    );
    out();
    table(rows);
    out();
  }
  if (inferRows.length) {
    out('## Inference: WRN-40-2, batch 256, evaluation mode');
    out();
    table(inferRows);
    out();
  }
  if (data) {
    const { wait, augmentMsPerSample, stepMsPerSample } = data;
    out(
      `Data path in a real run (WRN-16-2, AugSVF JSD, batch 64, 2 augmentation workers, ${wait.samplesPerSecond.toFixed(1)} samples/s over ${wait.seconds.toFixed(0)} s): ` +
        `the model waited for data ${(100 * wait.dataWait).toFixed(1)}% of the epoch. Augmenting one JSD sample (flip/crop + 3 views) costs ${augmentMsPerSample.toFixed(3)} ms of one core, ` +
        `training on it ${stepMsPerSample.toFixed(1)} ms: the data path is ${((100 * augmentMsPerSample) / stepMsPerSample).toFixed(2)}% of the work of a step.`,
    );
  }
  return md;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await main(process.argv.slice(2));
