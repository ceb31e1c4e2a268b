import * as tf from '@tensorflow/tfjs-core';

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
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  const n = x.shape[0] * x.shape[1] * x.shape[2];
  const keep = 1 - BN_MOMENTUM;
  p.runningMean.assign(tf.add(tf.mul(p.runningMean, keep), tf.mul(mean, BN_MOMENTUM)));
  p.runningVar.assign(tf.add(tf.mul(p.runningVar, keep), tf.mul(variance, (BN_MOMENTUM * n) / Math.max(n - 1, 1))));
  return tf.add(tf.mul(tf.sub(x, mean), tf.mul(p.gamma, tf.rsqrt(tf.add(variance, BN_EPS)))), p.beta);
}

/** Evaluation-mode BatchNorm: the running statistics, folded into one scale and shift. */
export function batchNormEval(x: tf.Tensor4D, p: BatchNormParams): tf.Tensor4D {
  const scale = tf.mul(p.gamma, tf.rsqrt(tf.add(p.runningVar, BN_EPS)));
  return tf.add(tf.mul(x, scale), tf.sub(p.beta, tf.mul(p.runningMean, scale)));
}
