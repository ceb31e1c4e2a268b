import * as tf from '@tensorflow/tfjs-core';
import { Observable, concatMap, type OperatorFunction } from 'rxjs';
import type { Dataset } from '../data/dataset.ts';
import { fourierBasis } from '../ops/fourierBasis.ts';
import { flipSignsInto, type FourierCell } from '../ops/fourierGrid.ts';
import type { Strategy } from '../ops/strategy.ts';
import { scorePredictions, type EvalResult } from './evaluate.ts';
import type { Wrn } from './wrn.ts';

/**
 * The clean images of an evaluation as tensors in [0, 1] pixel space, uploaded once and reused by
 * every cell of the grid: a cell then costs only the perturbation and the forward pass. Holds
 * N·H·W·C float32 on the backend (123 MB for the CIFAR-10 test set).
 */
export interface CleanSet {
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly classes: number;
  readonly batches: readonly { readonly images: tf.Tensor4D; readonly labels: Int32Array; readonly indices: Int32Array }[];
  dispose(): void;
}

/**
 * Uploads `indices` of `dataset` (default all) in batches of `batchSize`, as float32 v/255 (each
 * value rounded to float32 as torchvision's ToTensor does).
 */
export function createCleanSet(dataset: Dataset, batchSize: number, indices?: ArrayLike<number>): CleanSet {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batch size must be an integer >= 1, got ${batchSize}`);
  const { width, height, channels } = dataset.shape;
  const size = width * height * channels;
  const order = indices ? Int32Array.from(indices) : Int32Array.from({ length: dataset.count }, (_, i) => i);
  order.forEach((i) => {
    if (!Number.isInteger(i) || i < 0 || i >= dataset.count) throw new RangeError(`image index ${i} is outside ${dataset.name} [0, ${dataset.count})`);
  });
  const table = new Float32Array(256);
  for (let v = 0; v < 256; v++) table[v] = v / 255;
  const batches: CleanSet['batches'][number][] = [];
  try {
    for (let start = 0; start < order.length; start += batchSize) {
      const idx = order.slice(start, start + batchSize);
      const data = new Float32Array(idx.length * size);
      idx.forEach((img, b) => {
        const src = dataset.pixels.subarray(img * size, (img + 1) * size);
        for (let j = 0; j < size; j++) data[b * size + j] = table[src[j]!]!;
      });
      batches.push({ images: tf.tensor4d(data, [idx.length, height, width, channels], 'float32'), labels: Int32Array.from(idx, (i) => dataset.labels[i]!), indices: idx });
    }
  } catch (err) {
    tf.dispose(batches.map((b) => b.images));
    throw err;
  }
  return {
    count: order.length, height, width, channels, classes: dataset.classes.length, batches,
    dispose: () => tf.dispose(batches.map((b) => b.images)),
  };
}

/**
 * clip(x + s·U, 0, 1) on the backend, for a batch x in [0, 1] (paper §2): `basis` is U as
 * [1, H, W, 1]; `signs` is null (channel-aligned: U added to every channel) or [B, 1, 1, C] of ±1
 * (random-flip). Float32 throughout: equal, bit for bit, to `perturbFloatInto` in JS.
 */
export function perturbBatch(x: tf.Tensor4D, basis: tf.Tensor4D, signs: tf.Tensor4D | null): tf.Tensor4D {
  return tf.tidy(() => tf.clipByValue(tf.add(x, signs ? tf.mul(basis, signs) : basis), 0, 1));
}

/** (x − mean)/std per channel on the backend, each step rounded to float32 like the data path's normalisation. */
export function normalizeBatch(x: tf.Tensor4D, normalize: Pick<Strategy, 'mean' | 'std'>): tf.Tensor4D {
  return tf.tidy(() => tf.div(tf.sub(x, tf.tensor1d(normalize.mean as number[], 'float32')), tf.tensor1d(normalize.std as number[], 'float32')));
}

export interface AttackOptions {
  /** The model's training normalisation, applied after the perturbation and the clip. */
  readonly normalize: Pick<Strategy, 'mean' | 'std'>;
  /** Seed of the random-flip signs (see `flipSignsInto`). */
  readonly seed: number;
}

/** A finished cell: the cell and the model's error, calibration and loss on the perturbed images. */
export interface CellResult extends EvalResult {
  readonly cell: FourierCell;
  /** Wall time of the cell, seconds. */
  readonly seconds: number;
}

/**
 * Softmax probabilities of `net` on every batch of `clean`, each batch first passed through
 * `transform` (which may return its input). Leaves no tensor behind.
 */
async function probabilities(net: Wrn, clean: CleanSet, normalize: AttackOptions['normalize'], transform: (x: tf.Tensor4D, batch: number) => tf.Tensor4D, isClosed: () => boolean): Promise<Float32Array | null> {
  const probs = new Float32Array(clean.count * clean.classes);
  let at = 0;
  for (let b = 0; b < clean.batches.length; b++) {
    if (isClosed()) return null;
    const p = tf.tidy(() => tf.softmax(net.forward(normalizeBatch(transform(clean.batches[b]!.images, b), normalize))));
    try {
      const values = (await p.data()) as Float32Array;
      probs.set(values, at);
      at += values.length;
    } finally {
      p.dispose();
    }
    // On wasm and cpu, data() settles as a microtask: without a macrotask turn here, a whole grid
    // of cells runs without letting I/O in (each finished cell's append, progress, Ctrl-C).
    await new Promise((resolve) => setImmediate(resolve));
  }
  return probs;
}

const allLabels = (clean: CleanSet): Int32Array => {
  const labels = new Int32Array(clean.count);
  let at = 0;
  for (const b of clean.batches) {
    labels.set(b.labels, at);
    at += b.labels.length;
  }
  return labels;
};

/** The model's figures on the clean images (the same path as a cell, without the perturbation). */
export async function evaluateClean(net: Wrn, clean: CleanSet, options: Pick<AttackOptions, 'normalize'>): Promise<EvalResult> {
  const probs = (await probabilities(net, clean, options.normalize, (x) => x, () => false))!;
  return scorePredictions(probs, allLabels(clean), clean.classes);
}

/**
 * Evaluates one cell: U(k) built once (`fourierBasis`, on the CPU: H·W cosines), uploaded as a
 * tensor, added to every batch on the backend (random-flip: with one ±1 per image and channel,
 * drawn by `flipSignsInto`), clipped, normalised, predicted. Null when `isClosed` turns true.
 */
export async function evaluateCell(net: Wrn, clean: CleanSet, cell: FourierCell, options: AttackOptions, isClosed: () => boolean = () => false): Promise<CellResult | null> {
  const t0 = performance.now();
  const { height, width, channels } = clean;
  const u = fourierBasis({ height, width, kx: cell.kx, ky: cell.ky, phase: cell.phase, norm: cell.norm });
  const basis = tf.tensor4d(u, [1, height, width, 1], 'float32');
  try {
    const perturb = (x: tf.Tensor4D, b: number): tf.Tensor4D => {
      if (cell.alignment === 'aligned') return perturbBatch(x, basis, null);
      const batch = clean.batches[b]!;
      const s = new Float32Array(batch.indices.length * channels);
      flipSignsInto(options.seed, cell, height, width, batch.indices, channels, s);
      return perturbBatch(x, basis, tf.tensor4d(s, [batch.indices.length, 1, 1, channels], 'float32'));
    };
    const probs = await probabilities(net, clean, options.normalize, perturb, isClosed);
    if (probs === null) return null;
    return { cell, ...scorePredictions(probs, allLabels(clean), clean.classes), seconds: (performance.now() - t0) / 1000 };
  } finally {
    basis.dispose();
  }
}

/**
 * The attack as an operator: each cell of the source is evaluated on every clean image, one cell
 * at a time, and its result emitted as soon as it is done. Unsubscribing stops after the batch
 * in progress. The caller owns `net` and `clean`.
 */
export function attackCells(net: Wrn, clean: CleanSet, options: AttackOptions): OperatorFunction<FourierCell, CellResult> {
  return concatMap(
    (cell) =>
      new Observable<CellResult>((subscriber) => {
        evaluateCell(net, clean, cell, options, () => subscriber.closed).then(
          (r) => {
            if (r) {
              subscriber.next(r);
              subscriber.complete();
            }
          },
          (err) => subscriber.error(err),
        );
      }),
  );
}
