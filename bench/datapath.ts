/**
 * Our data path, measured the way training uses it:
 * epochs(dataset) → augment(strategy, pool) → batch(size) → a consumer that releases each batch.
 * Also the bare kernel (Augmenter + augmentChunk on this thread, no pool, no stream), per-op
 * timings on 32x32 CIFAR images, and resident memory across epochs.
 */
import { fileURLToPath } from 'node:url';
import { lastValueFrom, tap, count } from 'rxjs';
import { readCifar10, subset, type Dataset } from '../src/data/index.ts';
import { Augmenter, augmentChunk, builtinPrimitives, imageAt, createImage, normalizationTable, normalizeInto, sampleParams } from '../src/ops/index.ts';
import { Rng } from '../src/ops/rng.ts';
import { defineStrategy, strategies, viewCount, type Strategy } from '../src/ops/strategy.ts';
import { augment } from '../src/streams/augment.ts';
import { batch } from '../src/streams/batch.ts';
import { epochs } from '../src/streams/epochs.ts';
import { createAugmentPool, type AugmentPool } from '../src/streams/pool.ts';
import { Profiler } from '../src/streams/profiler.ts';

export type Mode = 'view' | 'jsd';

export interface Measurement {
  readonly images: number;
  readonly seconds: number;
  readonly imagesPerSecond: number;
  /** Stream only: share of the wall time the pool threads spent augmenting (1 = never waited). */
  readonly utilisation?: number;
}

export interface StreamOptions {
  readonly chunkSize: number;
  readonly batchSize: number;
  readonly credits?: number;
}

/** One worker task per batch: the batch stage then passes chunks on without copying them. */
export const defaultStreamOptions: StreamOptions = { chunkSize: 128, batchSize: 128 };
const SEED = 1;
export const DATA_DIR = fileURLToPath(new URL('../data/cifar10-mini', import.meta.url));

/**
 * One AugMix view (the reference's 9 default ops; our strategies always include flip + crop, which
 * the Pillow `view` mode leaves out, so ours does slightly more work), or the JSD triple.
 */
export function strategyFor(mode: Mode): Strategy {
  return mode === 'view' ? defineStrategy({ ...strategies.AugSV!, name: 'AugSV-view', jsd: false }) : strategies.AugSV!;
}

/** The CIFAR-10 train split of the bundled data; `images` of them (the first = data_batch_1.bin). */
export async function loadTrain(images?: number): Promise<Dataset> {
  const ds = await readCifar10(DATA_DIR, 'train');
  return images === undefined ? ds : subset(ds, 0, Math.min(images, ds.count));
}

/** Runs `epochCount` epochs through the stream on `pool`; returns images/s from subscribe to completion. */
export async function measureStream(
  ds: Dataset,
  mode: Mode,
  pool: AugmentPool,
  epochCount: number,
  opts: StreamOptions = defaultStreamOptions,
  onBatch?: (epoch: number) => void,
): Promise<Measurement> {
  const profiler = new Profiler();
  const t0 = performance.now();
  const n = await lastValueFrom(
    epochs(ds, { epochs: epochCount, seed: SEED, shuffle: true }).pipe(
      augment(strategyFor(mode), { workers: pool, chunkSize: opts.chunkSize, credits: opts.credits, profiler }),
      batch(opts.batchSize),
      tap((b) => {
        onBatch?.(b.epoch);
        b.release();
      }),
      count(),
    ),
  );
  const seconds = (performance.now() - t0) / 1000;
  if (n === 0) throw new Error('stream produced no batches');
  const images = epochCount * ds.count;
  const busyMs = profiler.snapshot().stages.find((st) => st.name === 'augment')?.busyMs ?? 0;
  return { images, seconds, imagesPerSecond: images / seconds, utilisation: busyMs / (seconds * 1000 * Math.max(pool.threads, 1)) };
}

/**
 * A pool of `workers` threads, warmed up for `mode` (threads started, modules loaded, JIT done);
 * rate in images/s. Warm means seconds, not a few epochs: --trace-opt showed TurboFan still
 * compiling the primitives (rotateInto, autocontrastInto, ...) in every thread after ~1,500
 * samples each, 124 compilations within a 3 s measurement after the old 3-epoch warm-up and 20,
 * none of them ours, after 40 more epochs. Compiling runs on V8's helper threads, so with 2
 * workers on 2 cores it slows the workers, with 1 it takes the idle core: under-warmed pools
 * understate 2-worker scaling.
 */
export async function warmPool(ds: Dataset, mode: Mode, workers: number, seconds = 3): Promise<{ pool: AugmentPool; rate: number }> {
  const pool = createAugmentPool(workers);
  await measureStream(subset(ds, 0, Math.min(512, ds.count)), mode, pool, 2);
  const t0 = performance.now();
  let rate = 0;
  while (performance.now() - t0 < seconds * 1000) rate = (await measureStream(ds, mode, pool, 5)).imagesPerSecond;
  return { pool, rate };
}

/** The bare kernel on this thread: sampling + Augmenter.apply via augmentChunk, chunks of 64. */
export function measureKernel(ds: Dataset, mode: Mode, images: number): Measurement {
  const strategy = strategyFor(mode);
  const aug = new Augmenter(strategy, builtinPrimitives(strategy.fourier), ds.shape);
  const views = viewCount(strategy);
  const size = ds.shape.width * ds.shape.height * ds.shape.channels;
  const chunk = 64;
  const out = new Float32Array(views * chunk * size);
  const run = (n: number, epoch: number): void => {
    for (let done = 0; done < n; done += chunk) {
      const k = Math.min(chunk, n - done);
      const indices = Int32Array.from({ length: k }, (_, i) => (done + i) % ds.count);
      augmentChunk({ pixels: ds.pixels, shape: ds.shape, indices, seed: SEED, epoch }, aug, out, views);
    }
  };
  run(20480, 1000); // warm-up: long enough for the JIT to finish (see warmPool)
  const t0 = performance.now();
  run(images, 0);
  const seconds = (performance.now() - t0) / 1000;
  return { images, seconds, imagesPerSecond: images / seconds };
}

/**
 * Microseconds per call (best of 5 rounds) on 32x32 CIFAR images, one thread: each primitive's
 * kernel with freshly sampled severity-3 parameters; parameter sampling; normalisation; one view
 * whose chains are a single copy op (= flip/crop + mixing overhead); whole samples
 * (sampleParams + Augmenter.apply) for view and JSD. Set against the Pillow per-call figures.
 */
export function measureOps(ds: Dataset, reps = 20000): Record<string, number> {
  const strategy = strategyFor('jsd');
  const registry = builtinPrimitives(strategy.fourier);
  registry.set('copy', { name: 'copy', sample: () => null, apply: (src, dst) => dst.data.set(src.data) });
  const dst = createImage(ds.shape.width, ds.shape.height, ds.shape.channels);
  const imgs = Array.from({ length: 256 }, (_, i) => imageAt(ds.pixels, ds.shape, i % ds.count));
  const rng = Rng.at(SEED, 'augment', 7, 0);
  const timeIt = (fn: (i: number) => void, n = reps): number => {
    for (let i = 0; i < n / 10; i++) fn(i);
    let best = Infinity;
    for (let r = 0; r < 5; r++) {
      const t0 = performance.now();
      for (let i = 0; i < n / 5; i++) fn(i);
      best = Math.min(best, (performance.now() - t0) / (n / 5));
    }
    return Math.round(best * 1e5) / 100;
  };
  const out: Record<string, number> = {};
  for (const name of strategy.ops) {
    const p = registry.get(name)!;
    const params = Array.from({ length: 1024 }, () => p.sample(rng, strategy.severity, ds.shape));
    out[name] = timeIt((i) => p.apply(imgs[i & 255]!, dst, params[i & 1023]));
  }
  const table = normalizationTable(strategy.mean, strategy.std);
  const f32 = new Float32Array(ds.shape.width * ds.shape.height * ds.shape.channels);
  out['normalize'] = timeIt((i) => normalizeInto(imgs[i & 255]!.data, f32, table, ds.shape.channels));
  const copyView = defineStrategy({ ...strategyFor('view'), name: 'copy-chains', ops: ['copy'], depth: 1 });
  const copyAug = new Augmenter(copyView, registry, ds.shape);
  const copyParams = sampleParams(Rng.at(SEED, 'augment', 9, 0), copyView, ds.shape, registry);
  out['flip/crop + mix of 3 copy chains'] = timeIt((i) => copyAug.apply(imgs[i & 255]!, copyParams, [f32]));
  for (const mode of ['view', 'jsd'] as const) {
    const s = strategyFor(mode);
    const aug = new Augmenter(s, registry, ds.shape);
    const views = Array.from({ length: viewCount(s) }, () => new Float32Array(f32.length));
    out[`sampleParams (${mode})`] = timeIt((i) => sampleParams(Rng.at(SEED, 'augment', 3, i), s, ds.shape, registry));
    out[`whole sample (${mode})`] = timeIt(
      (i) => aug.apply(imgs[i & 255]!, sampleParams(Rng.at(SEED, 'augment', 5, i), s, ds.shape, registry), views),
      reps / 10,
    );
  }
  return out;
}

export interface MemoryRun {
  /** RSS (worker threads included) at the end of each epoch: its last batch (MB). */
  readonly rssMB: number[];
  /** Highest RSS sampled within each epoch (at every batch, MB). */
  readonly peakMB: number[];
  /** V8 heap used on the main thread at the end of each epoch (MB). */
  readonly heapMB: number[];
  /** RSS and main-thread heap after the warm-up, before the first epoch (MB). */
  readonly startMB: number;
  readonly startHeapMB: number;
  readonly seconds: number;
}

/**
 * Memory over `epochCount` epochs of the JSD stream on a warm pool of `workers` threads, the way a
 * training run would see it: sampled at every batch, before the consumer releases it.
 */
export async function measureMemory(ds: Dataset, workers: number, epochCount: number): Promise<MemoryRun> {
  const MB = 2 ** 20;
  const { pool } = await warmPool(ds, 'jsd', workers);
  const start = process.memoryUsage();
  const per: { rss: number; peak: number; heap: number }[] = [];
  const m = await measureStream(ds, 'jsd', pool, epochCount, defaultStreamOptions, (epoch) => {
    const { rss, heapUsed } = process.memoryUsage();
    const e = (per[epoch] ??= { rss, peak: rss, heap: heapUsed });
    e.rss = rss;
    e.heap = heapUsed;
    e.peak = Math.max(e.peak, rss);
  });
  await pool.destroy();
  return {
    rssMB: per.map((e) => e.rss / MB),
    peakMB: per.map((e) => e.peak / MB),
    heapMB: per.map((e) => e.heap / MB),
    startMB: start.rss / MB,
    startHeapMB: start.heapUsed / MB,
    seconds: m.seconds,
  };
}
