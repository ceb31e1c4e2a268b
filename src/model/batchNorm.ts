import * as tf from '@tensorflow/tfjs-core';
import { FA_BN_TRAIN, FA_SCALE_SHIFT, type FusedBnAttrs } from './native/fusedBatchNorm.ts';

/** One BatchNorm layer's state: trained scale and shift, and the running statistics. */
export interface BatchNormParams {
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;
  readonly runningMean: tf.Variable;
  readonly runningVar: tf.Variable;
}

const BN_EPS = 1e-5;
const BN_MOMENTUM = 0.1;

/**
 * Train-mode BatchNorm (PyTorch's eps and momentum), written out rather than `tf.batchNorm`: its
 * gradient tiles to N·H·W·C, 14-20 % of a wasm training step (shared/tfjs-backends-notes.md).
 * Normalises with the biased batch variance and keeps the unbiased one (n/(n−1)) in the running
 * statistics, as PyTorch does. The assignments sit outside the gradient's path.
 */
export function batchNormTrain(x: tf.Tensor4D, p: BatchNormParams): tf.Tensor4D {
  if (hasKernel(FA_BN_TRAIN)) return fusedTrain(x, p, false);
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  updateRunning(x, p, mean, variance);
  return tf.add(tf.mul(tf.sub(x, mean), tf.mul(p.gamma, tf.rsqrt(tf.add(variance, BN_EPS)))), p.beta);
}

/**
 * `relu(batchNormTrain(x, p))`. On a backend with the fused kernel (native) it is one kernel
 * forward and one backward, instead of about fifteen full passes over x.
 */
export function batchNormReluTrain(x: tf.Tensor4D, p: BatchNormParams): tf.Tensor4D {
  return hasKernel(FA_BN_TRAIN) ? fusedTrain(x, p, true) : tf.relu(batchNormTrain(x, p));
}

/** `relu(batchNormEval(x, p))`, one kernel where the backend has it. */
export function batchNormReluEval(x: tf.Tensor4D, p: BatchNormParams): tf.Tensor4D {
  if (!hasKernel(FA_SCALE_SHIFT)) return tf.relu(batchNormEval(x, p));
  return tf.tidy(() => {
    const scale = tf.mul(p.gamma, tf.rsqrt(tf.add(p.runningVar, BN_EPS)));
    const shift = tf.sub(p.beta, tf.mul(p.runningMean, scale));
    return tf.engine().runKernel(FA_SCALE_SHIFT, { x, scale, shift }, { relu: true }) as tf.Tensor4D;
  });
}

function hasKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) != null;
}

function fusedTrain(x: tf.Tensor4D, p: BatchNormParams, relu: boolean): tf.Tensor4D {
  const attrs: FusedBnAttrs = { epsilon: BN_EPS, relu };
  const [y, mean, variance] = tf.engine().runKernel(FA_BN_TRAIN, { x, gamma: p.gamma, beta: p.beta }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
  updateRunning(x, p, mean!, variance!);
  return y as tf.Tensor4D;
}

/** Moves the running statistics towards the batch's (biased `variance`, kept unbiased). */
function updateRunning(x: tf.Tensor4D, p: BatchNormParams, mean: tf.Tensor, variance: tf.Tensor): void {
  const n = x.shape[0] * x.shape[1] * x.shape[2];
  const keep = 1 - BN_MOMENTUM;
  tf.tidy(() => {
    p.runningMean.assign(tf.add(tf.mul(p.runningMean, keep), tf.mul(mean, BN_MOMENTUM)));
    p.runningVar.assign(tf.add(tf.mul(p.runningVar, keep), tf.mul(variance, (BN_MOMENTUM * n) / Math.max(n - 1, 1))));
  });
}

/** Evaluation-mode BatchNorm: the running statistics, folded into one scale and shift. */
export function batchNormEval(x: tf.Tensor4D, p: BatchNormParams): tf.Tensor4D {
  const scale = tf.mul(p.gamma, tf.rsqrt(tf.add(p.runningVar, BN_EPS)));
  return tf.add(tf.mul(x, scale), tf.sub(p.beta, tf.mul(p.runningMean, scale)));
}
