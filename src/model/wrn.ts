import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../ops/rng.ts';
import { batchNormReluEval, batchNormReluTrain, type BatchNormParams } from './batchNorm.ts';

/** Shape of a Wide ResNet: WRN-`depth`-`widen` for `classes` outputs, initialised from `seed`. */
export interface WrnConfig {
  /** 6n + 4 for n ≥ 1 (16, 22, 28, 40, …). */
  readonly depth: number;
  /** Width multiplier k ≥ 1: channel widths [16, 16k, 32k, 64k]. */
  readonly widen: number;
  readonly classes: number;
  /** Integer in [0, 2^53); parameter i is drawn from `Rng.at(seed, 'init', 0, i)`. */
  readonly seed: number;
  /** Dropout rate between a block's two convs in training (the reference's `droprate`, 0). */
  readonly dropRate?: number;
}

export interface ForwardOptions {
  /**
   * Training mode (default false): BatchNorm normalises with the batch's statistics and moves its
   * running statistics towards them (PyTorch's momentum 0.1, unbiased variance), and dropout is on.
   * Evaluation mode normalises with the running statistics and changes no state.
   */
  readonly training?: boolean;
  /** Seed of this pass's dropout masks (vary it per step); used only when training with dropRate > 0. */
  readonly dropoutSeed?: string;
}

/** A WRN as plain tfjs variables and a forward function. Owns its variables until `dispose()`. */
export interface Wrn {
  readonly config: WrnConfig;
  /** Trainable variables, in creation order (the order their init streams are numbered by). */
  readonly params: readonly tf.Variable[];
  /** BatchNorm running means and variances (not trained; part of a checkpoint), in creation order. */
  readonly buffers: readonly tf.Variable[];
  /** Total number of trainable scalars. */
  readonly paramCount: number;
  /** Logits [N, classes] for images [N, H, W, 3] (NHWC, normalised; 32x32 for CIFAR). */
  forward(x: tf.Tensor4D, options?: ForwardOptions): tf.Tensor2D;
  dispose(): void;
}

interface Block {
  bn1: BatchNormParams;
  conv1: tf.Variable;
  bn2: BatchNormParams;
  conv2: tf.Variable;
  shortcut: tf.Variable | null;
  stride: number;
}

/**
 * Builds WRN-depth-k with pre-activation basic blocks, following the AugMix reference's
 * `third_party/WideResNet_pytorch/wideresnet.py` (WideResNet, BasicBlock, NetworkBlock).
 */
export function createWrn(config: WrnConfig): Wrn {
  const { depth, widen, classes, seed, dropRate = 0 } = config;
  if (!Number.isInteger(depth) || depth < 10 || (depth - 4) % 6 !== 0) {
    throw new RangeError(`WRN depth must be 6n+4 with n ≥ 1 (e.g. 16, 28, 40); got ${depth}`);
  }
  if (!Number.isInteger(widen) || widen < 1) throw new RangeError(`WRN widen factor must be an integer ≥ 1; got ${widen}`);
  if (!Number.isInteger(classes) || classes < 1) throw new RangeError(`classes must be an integer ≥ 1; got ${classes}`);
  if (!(dropRate >= 0 && dropRate < 1)) throw new RangeError(`WRN dropRate must be in [0, 1); got ${dropRate}`);

  const params: tf.Variable[] = [];
  const add = (shape: number[], fill: (rng: Rng) => number): tf.Variable => {
    const rng = Rng.at(seed, 'init', 0, params.length);
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    for (let i = 0; i < size; i++) values[i] = fill(rng);
    const t = tf.tensor(values, shape, 'float32');
    // Unnamed: tfjs variable names are process-global, and two nets may coexist.
    const v = tf.variable(t, true);
    t.dispose();
    params.push(v);
    return v;
  };
  // Reference init: conv weights ~ N(0, sqrt(2 / (k·k·out_channels))), no conv bias.
  const conv = (k: number, cin: number, cout: number) => {
    const std = Math.sqrt(2 / (k * k * cout));
    return add([k, k, cin, cout], (r) => r.normal() * std);
  };
  const buffers: tf.Variable[] = [];
  const buffer = (c: number, value: number): tf.Variable => {
    const t = tf.fill([c], value);
    const v = tf.variable(t, false);
    t.dispose();
    buffers.push(v);
    return v;
  };
  const bn = (c: number): BatchNormParams => ({ gamma: add([c], () => 1), beta: add([c], () => 0), runningMean: buffer(c, 0), runningVar: buffer(c, 1) });

  const n = (depth - 4) / 6;
  const widths = [16, 16 * widen, 32 * widen, 64 * widen];
  const stem = conv(3, 3, widths[0]!);
  const blocks: Block[] = [];
  for (let g = 0; g < 3; g++) {
    for (let i = 0; i < n; i++) {
      const cin = i === 0 ? widths[g]! : widths[g + 1]!;
      const cout = widths[g + 1]!;
      blocks.push({
        stride: i === 0 && g > 0 ? 2 : 1,
        bn1: bn(cin),
        conv1: conv(3, cin, cout),
        bn2: bn(cout),
        conv2: conv(3, cout, cout),
        shortcut: cin === cout ? null : conv(1, cin, cout),
      });
    }
  }
  const headBn = bn(widths[3]!);
  // Reference init for Linear: bias 0; weight keeps PyTorch's default U(−1/√in, 1/√in).
  const bound = 1 / Math.sqrt(widths[3]!);
  const fcW = add([widths[3]!, classes], (r) => r.range(-bound, bound));
  const fcB = add([classes], () => 0);

  const forward = (x: tf.Tensor4D, options: ForwardOptions = {}): tf.Tensor2D =>
    tf.tidy(() => {
      const training = options.training ?? false;
      // Every BatchNorm of the net is followed by a ReLU: fused where the backend can (native).
      const normRelu = (t: tf.Tensor4D, p: BatchNormParams): tf.Tensor4D => (training ? batchNormReluTrain(t, p) : batchNormReluEval(t, p));
      let h = conv3x3(x, stem, 1);
      blocks.forEach((b, i) => {
        const o = normRelu(h, b.bn1);
        const sc = b.shortcut == null ? h : tf.conv2d(o, b.shortcut as tf.Tensor4D, b.stride, 'valid');
        let mid = normRelu(conv3x3(o, b.conv1, b.stride), b.bn2);
        if (training && dropRate > 0) mid = tf.dropout(mid, dropRate, undefined, `${options.dropoutSeed ?? ''}:${i}`) as tf.Tensor4D;
        h = tf.add(conv3x3(mid, b.conv2, 1), sc);
      });
      const pooled = tf.mean(normRelu(h, headBn), [1, 2]) as tf.Tensor2D;
      return tf.add(tf.matMul(pooled, fcW as tf.Tensor2D), fcB);
    });

  return {
    config,
    params,
    buffers,
    paramCount: params.reduce((s, v) => s + v.size, 0),
    forward,
    dispose: () => tf.dispose([...params, ...buffers]),
  };
}

/** 3x3 conv with PyTorch's symmetric padding 1 (tfjs 'same' pads stride-2 convs bottom/right only). */
function conv3x3(x: tf.Tensor4D, w: tf.Variable, stride: number): tf.Tensor4D {
  return tf.conv2d(x, w as tf.Tensor4D, stride, [
    [0, 0],
    [1, 1],
    [1, 1],
    [0, 0],
  ]);
}
