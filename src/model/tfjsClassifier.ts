import * as tf from '@tensorflow/tfjs-core';
import type { Dataset } from '../data/dataset.ts';
import type { Strategy } from '../ops/strategy.ts';
import { batchIndices, unitPixels, type CleanSet, type Classifier, type Perturbation, type PredictOptions } from './classifier.ts';
import type { Wrn } from './wrn.ts';

/** The tfjs clean set: the images in [0, 1] as tensors on the backend, uploaded once (123 MB for CIFAR-10's test set). */
export interface TensorCleanSet extends CleanSet {
  readonly batches: readonly { readonly images: tf.Tensor4D; readonly labels: Int32Array; readonly indices: Int32Array }[];
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

/**
 * Our WRN on the current tfjs backend as a `Classifier`: the clean images stay on the backend, and
 * a perturbation is added there (U uploaded once per call, signs once per batch), then the
 * training strategy's normalisation, the forward pass and (for probabilities) the softmax. The
 * classifier owns `net` (`dispose` frees it).
 */
export function tfjsClassifier(net: Wrn, normalize: Pick<Strategy, 'mean' | 'std'>, height = 32, width = 32): Classifier {
  const { classes, depth, widen } = net.config;
  return {
    classes,
    height,
    width,
    channels: 3,
    description: `tfjs WRN-${depth}-${widen} on ${tf.getBackend()}`,
    cleanSet: (dataset, batchSize, indices) => tensorCleanSet(net, normalize, dataset, batchSize, indices),
    dispose: () => net.dispose(),
  };
}

/** The clean set of `tfjsClassifier`, with its tensors exposed (for tests and benches). */
export function tensorCleanSet(
  net: Wrn,
  normalize: Pick<Strategy, 'mean' | 'std'>,
  dataset: Dataset,
  batchSize: number,
  indices?: ArrayLike<number>,
): TensorCleanSet {
  const { width, height, channels } = dataset.shape;
  const batches: TensorCleanSet['batches'][number][] = [];
  try {
    for (const idx of batchIndices(dataset, batchSize, indices)) {
      batches.push({
        images: tf.tensor4d(unitPixels(dataset, idx), [idx.length, height, width, channels], 'float32'),
        labels: Int32Array.from(idx, (i) => dataset.labels[i]!),
        indices: idx,
      });
    }
  } catch (err) {
    tf.dispose(batches.map((b) => b.images));
    throw err;
  }
  const count = batches.reduce((s, b) => s + b.indices.length, 0);
  const classes = net.config.classes;

  /** The model's outputs on every batch, each perturbed; `softmax` or raw. Leaves no tensor behind. */
  const run = async (perturbation: Perturbation | null, softmax: boolean, options: PredictOptions = {}): Promise<Float32Array | null> => {
    const out = new Float32Array(count * classes);
    const basis = perturbation ? tf.tensor4d(perturbation.basis, [1, height, width, 1], 'float32') : null;
    try {
      let at = 0;
      for (let b = 0; b < batches.length; b++) {
        if (options.isClosed?.()) return null;
        const x = batches[b]!.images;
        const signs = perturbation?.signs(b) ?? null;
        const p = tf.tidy(() => {
          const s = signs ? tf.tensor4d(signs, [x.shape[0], 1, 1, channels], 'float32') : null;
          const logits = net.forward(normalizeBatch(basis ? perturbBatch(x, basis, s) : x, normalize));
          return softmax ? tf.softmax(logits) : logits;
        });
        try {
          const values = (await p.data()) as Float32Array;
          out.set(values, at);
          at += values.length;
        } finally {
          p.dispose();
        }
        // On wasm and cpu, data() settles as a microtask: without a macrotask turn here, a whole grid
        // of cells runs without letting I/O in (each finished cell's append, progress, Ctrl-C).
        await new Promise((resolve) => setImmediate(resolve));
      }
      return out;
    } finally {
      basis?.dispose();
    }
  };

  return {
    count,
    ...dataset.shape,
    classes,
    batches,
    probabilities: (perturbation, options) => run(perturbation, true, options),
    logits: (perturbation, options) => run(perturbation, false, options),
    dispose: () => tf.dispose(batches.map((b) => b.images)),
  };
}
