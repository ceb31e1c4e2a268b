import * as tf from '@tensorflow/tfjs-core';

/** Mean cross-entropy of `logits` [B, K] against integer `labels` [B] (PyTorch's `F.cross_entropy`). */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const logp = tf.logSoftmax(logits);
    const picked = tf.sum(tf.mul(logp, tf.oneHot(labels, logits.shape[1])), 1);
    return tf.neg(tf.mean(picked));
  });
}

/** The parts of the JSD objective, each a scalar the caller owns. */
export interface JsdLoss {
  /** ce + jsd, what is differentiated. */
  readonly loss: tf.Scalar;
  /** Cross-entropy on the clean third only. */
  readonly ce: tf.Scalar;
  /** weight · mean of the three KL divergences to the clamped mixture. */
  readonly jsd: tf.Scalar;
}

/** AugMix's consistency weight λ = 12 and the clamp floor of the mixture (cifar.py:233-236). */
export const JSD_WEIGHT = 12;
const MIXTURE_FLOOR = 1e-7;

/**
 * The JSD consistency loss as the AugMix reference computes it (cifar.py:218-236). `logits` holds
 * [clean; aug1; aug2] stacked along the batch axis ([3B, K], one forward pass so BatchNorm saw all
 * three), `labels` the B labels. CE on the clean third; then
 *   weight · (KL(p_c‖M) + KL(p_1‖M) + KL(p_2‖M)) / 3,  M = clamp((p_c + p_1 + p_2)/3, 1e-7, 1),
 * each KL `batchmean` (summed over classes, averaged over B). No view is detached.
 * p·log p is written as p·logSoftmax so a probability that underflows to 0 contributes 0, as
 * torch's kl_div does, instead of 0·(−∞) = NaN.
 */
export function jsdLoss(logits: tf.Tensor2D, labels: tf.Tensor1D, weight = JSD_WEIGHT): JsdLoss {
  const b = labels.shape[0];
  if (logits.shape[0] !== 3 * b) throw new RangeError(`jsdLoss: logits have ${logits.shape[0]} rows, expected 3 x ${b} (clean, aug1, aug2)`);
  return tf.tidy(() => {
    const [lc, l1, l2] = tf.split(logits, 3, 0) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const ce = crossEntropy(lc, labels);
    const logps = [lc, l1, l2].map((l) => tf.logSoftmax(l));
    const ps = logps.map((lp) => tf.exp(lp));
    const logM = tf.log(tf.clipByValue(tf.div(tf.addN(ps), 3), MIXTURE_FLOOR, 1));
    // Σ_views Σ_b Σ_k p(log p − log M) / B, then / 3 and × weight.
    const kl = tf.addN(ps.map((p, i) => tf.sum(tf.mul(p, tf.sub(logps[i]!, logM)))));
    const jsd = tf.mul(kl, weight / (3 * b)) as tf.Scalar;
    return { loss: tf.add(ce, jsd) as tf.Scalar, ce, jsd };
  });
}
