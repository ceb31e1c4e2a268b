import * as tf from '@tensorflow/tfjs-core';

export interface SgdConfig {
  /** Momentum μ (0.9). */
  readonly momentum: number;
  /** Nesterov momentum (true in the AugMix recipe). */
  readonly nesterov: boolean;
  /** L2 penalty added to every parameter's gradient, BatchNorm's and biases' included (5e-4). */
  readonly weightDecay: number;
}

/**
 * SGD as `torch.optim.SGD` does it (dampening 0), one update per `step`:
 *   d = g + wd·p;  buf = μ·buf + d;  d = d + μ·buf (Nesterov) or buf;  p = p − lr·d.
 * Buffers start at zero, which gives torch's first step (buf = d) exactly. The learning rate is an
 * argument of `step`, so the schedule stays a plain function of the step number.
 */
export class Sgd {
  /** One momentum buffer per parameter, in the parameters' order: the optimiser's whole state. */
  readonly buffers: readonly tf.Variable[];

  constructor(
    readonly params: readonly tf.Variable[],
    readonly config: SgdConfig,
  ) {
    this.buffers = params.map((p) => tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
  }

  /** Applies one update with `grads[i]` for `params[i]`. Does not dispose `grads`. */
  step(grads: readonly tf.Tensor[], lr: number): void {
    if (grads.length !== this.params.length) throw new RangeError(`Sgd.step: ${grads.length} gradients for ${this.params.length} parameters`);
    const { momentum, nesterov, weightDecay } = this.config;
    tf.tidy(() => {
      this.params.forEach((p, i) => {
        const buf = this.buffers[i]!;
        const d = weightDecay === 0 ? grads[i]! : tf.add(grads[i]!, tf.mul(p, weightDecay));
        if (momentum === 0) {
          p.assign(tf.sub(p, tf.mul(d, lr)));
          return;
        }
        const b = tf.add(tf.mul(buf, momentum), d);
        buf.assign(b);
        p.assign(tf.sub(p, tf.mul(nesterov ? tf.add(d, tf.mul(b, momentum)) : b, lr)));
      });
    });
  }

  dispose(): void {
    tf.dispose([...this.buffers]);
  }
}

/**
 * The reference's learning rate for batch `step` (0-based) of `total`: cosine from `lr` down to
 * `lrMin`, per step, no warm-up (cifar.py:146-149, LambdaLR stepped after every batch).
 */
export function cosineLr(step: number, total: number, lr: number, lrMin: number): number {
  return lrMin + (lr - lrMin) * 0.5 * (1 + Math.cos((step / total) * Math.PI));
}
