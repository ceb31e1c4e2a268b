import * as tf from '@tensorflow/tfjs-core';
import { concatMap, lastValueFrom, toArray, type Observable } from 'rxjs';
import type { Dataset } from '../data/dataset.ts';
import { confidenceAndCorrect, errorRate, rmsCalibrationError } from '../ops/metrics.ts';
import { defineStrategy, type Strategy } from '../ops/strategy.ts';
import { augment } from '../streams/augment.ts';
import { batch } from '../streams/batch.ts';
import { epochs } from '../streams/epochs.ts';
import type { AugmentPool } from '../streams/pool.ts';
import { toTensors, type TensorBatch } from './feed.ts';
import type { Wrn } from './wrn.ts';

/** Error and calibration of a model on a set of images. */
export interface EvalResult {
  readonly count: number;
  /** Fraction misclassified. */
  readonly error: number;
  /** RMS calibration error over all bins of 100 (`rmsCalibrationError`). */
  readonly calibration: number;
  /** The same as Hendrycks' calib_err computes it (last bin left out), for comparison with papers. */
  readonly calibrationReference: number;
  /** Mean cross-entropy. */
  readonly loss: number;
}

/** The test-time transform of a training strategy: its normalisation only (no flip, crop or AugMix). */
export function cleanStrategy(train: Pick<Strategy, 'mean' | 'std'>): Strategy {
  return defineStrategy({ name: 'clean', ops: [], jsd: false, flip: false, padding: 0, mean: train.mean, std: train.std });
}

/**
 * Softmax probabilities [N, K] of `net` in evaluation mode for every batch of `batches`, in stream
 * order, with the labels. Each batch is disposed (and released upstream) once predicted.
 */
export async function predict(net: Wrn, batches: Observable<TensorBatch>): Promise<{ probs: Float32Array; labels: Int32Array }> {
  // Read with data(), not dataSync(): a GPU backend in Node cannot read synchronously.
  const parts = await lastValueFrom(
    batches.pipe(
      concatMap(async (tb) => {
        try {
          const probs = tf.tidy(() => tf.softmax(net.forward(tb.images)));
          try {
            return { probs: (await probs.data()) as Float32Array, labels: (await tb.labels.data()) as Int32Array };
          } finally {
            probs.dispose();
          }
        } finally {
          tb.dispose();
        }
      }),
      toArray(),
    ),
  );
  const join = <T extends Float32Array | Int32Array>(xs: T[], make: (n: number) => T): T => {
    const out = make(xs.reduce((s, x) => s + x.length, 0));
    let at = 0;
    for (const x of xs) {
      out.set(x, at);
      at += x.length;
    }
    return out;
  };
  return {
    probs: join(
      parts.map((p) => p.probs),
      (n) => new Float32Array(n),
    ),
    labels: join(
      parts.map((p) => p.labels),
      (n) => new Int32Array(n),
    ),
  };
}

/** Error, calibration and loss from probabilities [N, K] and labels. */
export function scorePredictions(probs: Float32Array, labels: Int32Array, classes: number): EvalResult {
  const { confidence, correct } = confidenceAndCorrect(probs, labels, classes);
  let nll = 0;
  for (let i = 0; i < labels.length; i++) nll -= Math.log(Math.max(probs[i * classes + labels[i]!]!, 1e-30));
  return {
    count: labels.length,
    error: errorRate(correct),
    calibration: rmsCalibrationError(confidence, correct),
    calibrationReference: rmsCalibrationError(confidence, correct, { variant: 'reference' }),
    loss: nll / labels.length,
  };
}

export interface EvaluateOptions {
  /** Normalisation of the training strategy (mean, std). */
  readonly normalize: Pick<Strategy, 'mean' | 'std'>;
  /** Dataset indices to evaluate (default all). */
  readonly indices?: ArrayLike<number>;
  readonly batchSize: number;
  /** Pool (or thread count) that normalises the images. */
  readonly workers: number | AugmentPool;
  readonly chunkSize?: number;
}

/** Clean error and calibration of `net` on `dataset` (test-time transform, evaluation mode). */
export async function evaluate(net: Wrn, dataset: Dataset, options: EvaluateOptions): Promise<EvalResult> {
  const { indices, batchSize, workers, chunkSize = batchSize } = options;
  const source = epochs(dataset, { epochs: 1, seed: 0, shuffle: false, ...(indices ? { indices } : {}) }).pipe(
    augment(cleanStrategy(options.normalize), { workers, chunkSize }),
    batch(batchSize),
    toTensors(),
  );
  const { probs, labels } = await predict(net, source);
  return scorePredictions(probs, labels, net.config.classes);
}
