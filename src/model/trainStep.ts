import * as tf from '@tensorflow/tfjs-core';
import type { TensorBatch } from './feed.ts';
import { crossEntropy, jsdLoss } from './losses.ts';
import type { Sgd } from './sgd.ts';
import type { Wrn } from './wrn.ts';

/** The loss of one step, averaged over the batch. `jsd` is 0 for single-view training. */
export interface StepLoss {
  readonly loss: number;
  readonly ce: number;
  readonly jsd: number;
}

/**
 * One optimiser step on a batch: forward in training mode, loss (JSD when the batch has 3 views,
 * else CE), backward, SGD update at `lr`. With `microBatch` < batch size the batch is cut into
 * micro-batches whose gradients, each weighted by its share of the batch, are summed before the
 * one update: the same mean gradient with less memory (wasm's 4 GiB heap holds a WRN-40-2 JSD
 * step of about 64 samples), except that BatchNorm sees each micro-batch's statistics.
 */
export async function trainStep(net: Wrn, sgd: Sgd, tb: TensorBatch, lr: number, microBatch: number, dropoutSeed: string): Promise<StepLoss> {
  const { size, views } = tb;
  if (views !== 1 && views !== 3) throw new RangeError(`trainStep: batches must have 1 or 3 views, got ${views}`);
  let acc: tf.Tensor[] | null = null;
  const sums = { loss: 0, ce: 0, jsd: 0 };
  for (let s0 = 0, part = 0; s0 < size; s0 += microBatch, part++) {
    const m = Math.min(microBatch, size - s0);
    const weight = m / size;
    const { grads, parts } = tf.tidy(() => {
      const x =
        m === size
          ? tb.images
          : (tf.concat(Array.from({ length: views }, (_, v) => tf.slice(tb.images, [v * size + s0, 0, 0, 0], [m, -1, -1, -1]))) as tf.Tensor4D);
      const y = m === size ? tb.labels : tf.slice(tb.labels, [s0], [m]);
      let kept: tf.Scalar[] = [];
      const { value, grads: g } = tf.variableGrads(() => {
        const logits = net.forward(x, { training: true, dropoutSeed: `${dropoutSeed}:${part}` });
        if (views === 3) {
          const l = jsdLoss(logits, y);
          kept = [tf.keep(l.ce), tf.keep(l.jsd)];
          return tf.mul(l.loss, weight) as tf.Scalar;
        }
        const ce = crossEntropy(logits, y);
        kept = [tf.keep(ce)];
        return tf.mul(ce, weight) as tf.Scalar;
      }, [...net.params]);
      value.dispose();
      return { grads: net.params.map((p) => g[p.name]!), parts: kept };
    });
    // data(), not dataSync(): a GPU backend in Node cannot read synchronously.
    const [ce, jsd] = await Promise.all(parts.map(async (t) => (await t.data())[0]!)).finally(() => tf.dispose(parts));
    sums.ce += weight * ce!;
    sums.jsd += weight * (jsd ?? 0);
    if (acc === null) acc = grads;
    else {
      const prev: tf.Tensor[] = acc;
      acc = prev.map((a, i) => tf.add(a, grads[i]!));
      tf.dispose([...prev, ...grads]);
    }
  }
  sgd.step(acc!, lr);
  tf.dispose(acc!);
  sums.loss = sums.ce + sums.jsd;
  return sums;
}
