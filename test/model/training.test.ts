import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { selectBackend } from '../../src/model/backend.ts';
import { batchNormEval, batchNormTrain } from '../../src/model/batchNorm.ts';
import { crossEntropy, jsdLoss } from '../../src/model/losses.ts';
import { cosineLr, Sgd } from '../../src/model/sgd.ts';
import { gpuMicroBatch } from '../../src/model/gpuMicroBatch.ts';
import { wasmMicroBatch } from '../../src/model/wasmMicroBatch.ts';
import { trainStep } from '../../src/model/trainStep.ts';
import { createWrn } from '../../src/model/wrn.ts';
import { TRAIN_BACKEND } from './testBackend.ts';

// Made by test/fixtures/make_train_fixtures.py with Debian's python3-torch.
interface LossCase {
  name: string;
  batch: number;
  classes: number;
  logits: number[];
  labels: number[];
  loss: number;
  grad: number[] | null;
  ce?: number;
  jsd?: number;
  clamped?: number;
  zeros?: number;
}
const torch = JSON.parse(readFileSync(new URL('../fixtures/train/torch.json', import.meta.url), 'utf8')) as {
  jsd: LossCase[];
  ce: LossCase[];
  sgd: { shapes: number[][]; params: number[][]; grads: number[][][]; lrs: number[]; after: number[][][] };
  cosine: { total: number; lr: number; lrMin: number; lrs: number[] };
  batchnorm: {
    channels: number;
    gamma: number[];
    beta: number[];
    train: { shape: number[]; x: number[]; y: number[] }[];
    runningMean: number[];
    runningVar: number[];
    eval: { shape: number[]; x: number[]; y: number[] };
  };
};

/** Largest |a − b| relative to the larger of 1 and max |b|. */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let diff = 0;
  let scale = 1;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / scale;
}

/** A tensor's values, read asynchronously (a GPU backend cannot read synchronously), then disposed. */
async function valuesOf(t: tf.Tensor): Promise<Float32Array> {
  try {
    return (await t.data()) as Float32Array;
  } finally {
    t.dispose();
  }
}

describe.each(['cpu', TRAIN_BACKEND] as const)('training maths on %s, against PyTorch', (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  it('the fixtures exercise the mixture clamp and softmax underflow', () => {
    expect(torch.jsd.map((c) => [c.name, c.clamped! > 0, c.zeros! > 0])).toEqual([
      ['normal', false, false],
      ['clamped', true, false],
      ['underflowing', true, true],
      ['identical views', false, false],
    ]);
  });

  it.each(torch.jsd.map((c) => [c.name, c] as const))('JSD loss and its gradient: %s logits', async (_name, c) => {
    const before = tf.memory().numTensors;
    const logits = tf.tensor2d(c.logits, [3 * c.batch, c.classes]);
    const labels = tf.tensor1d(c.labels, 'int32');
    const parts = await Promise.all(
      tf
        .tidy(() => {
          const { ce, jsd, loss } = jsdLoss(logits, labels);
          return [ce, jsd, loss];
        })
        .map(async (t) => (await valuesOf(t))[0]!),
    );
    expect(parts[0]).toBeCloseTo(c.ce!, 4);
    expect(parts[1]).toBeCloseTo(c.jsd!, 4);
    expect(parts[2]).toBeCloseTo(c.loss, 4);
    const grad = await valuesOf(tf.tidy(() => tf.grad((l: tf.Tensor) => jsdLoss(l as tf.Tensor2D, labels).loss)(logits)));
    if (c.grad) expect(relErr(grad, c.grad)).toBeLessThan(1e-5);
    // torch's kl_div backward is NaN where a probability underflows to 0; ours stays finite there.
    else expect([c.zeros! > 0, [...grad].every(Number.isFinite)]).toEqual([true, true]);
    tf.dispose([logits, labels]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each(torch.ce.map((c) => [c.name, c] as const))('cross-entropy and its gradient: %s logits', async (_name, c) => {
    const logits = tf.tensor2d(c.logits, [c.batch, c.classes]);
    const labels = tf.tensor1d(c.labels, 'int32');
    expect((await valuesOf(crossEntropy(logits, labels)))[0]).toBeCloseTo(c.loss, 4);
    const grad = await valuesOf(tf.tidy(() => tf.grad((l: tf.Tensor) => crossEntropy(l as tf.Tensor2D, labels))(logits)));
    expect(relErr(grad, c.grad!)).toBeLessThan(1e-6);
    tf.dispose([logits, labels]);
  });

  it('SGD with Nesterov momentum and weight decay follows torch.optim.SGD step for step', async () => {
    const { shapes, params, grads, lrs, after } = torch.sgd;
    const vars = params.map((p, i) => tf.variable(tf.tensor(p, shapes[i]!), true));
    const sgd = new Sgd(vars, { momentum: 0.9, nesterov: true, weightDecay: 5e-4 });
    for (const [step, gs] of grads.entries()) {
      const g = gs.map((v, i) => tf.tensor(v, shapes[i]!));
      sgd.step(g, lrs[step]!);
      tf.dispose(g);
      for (const [i, v] of vars.entries()) expect(relErr(await v.data(), after[step]![i]!)).toBeLessThan(1e-6);
    }
    sgd.dispose();
    tf.dispose(vars);
  });

  it('BatchNorm: batch statistics in training, running statistics (momentum 0.1, unbiased) in evaluation', async () => {
    const bn = torch.batchnorm;
    const c = bn.channels;
    const p = {
      gamma: tf.variable(tf.tensor1d(bn.gamma)),
      beta: tf.variable(tf.tensor1d(bn.beta)),
      runningMean: tf.variable(tf.zeros([c]), false),
      runningVar: tf.variable(tf.ones([c]), false),
    };
    for (const t of bn.train) {
      const y = await valuesOf(tf.tidy(() => batchNormTrain(tf.tensor4d(t.x, t.shape as [number, number, number, number]), p)));
      expect(relErr(y, t.y)).toBeLessThan(1e-5);
    }
    expect(relErr(await p.runningMean.data(), bn.runningMean)).toBeLessThan(1e-6);
    expect(relErr(await p.runningVar.data(), bn.runningVar)).toBeLessThan(1e-6);
    const e = bn.eval;
    const y = await valuesOf(tf.tidy(() => batchNormEval(tf.tensor4d(e.x, e.shape as [number, number, number, number]), p)));
    expect(relErr(y, e.y)).toBeLessThan(1e-5);
    tf.dispose(Object.values(p));
  });

  it('a WRN in evaluation mode changes no state and gives the same logits for a sample alone or in a batch', async () => {
    const net = createWrn({ depth: 10, widen: 1, classes: 3, seed: 4 });
    const x = tf.randomNormal([4, 8, 8, 3], 0, 1, 'float32', 9) as tf.Tensor4D;
    tf.tidy(() => net.forward(x, { training: true })); // moves the running statistics
    const stats = await Promise.all(net.buffers.map(async (b) => (await b.data()).slice()));
    const all = await valuesOf(net.forward(x));
    const one = await valuesOf(tf.tidy(() => net.forward(tf.slice(x, [1, 0, 0, 0], [1, 8, 8, 3]))));
    expect(relErr(one, all.slice(3, 6))).toBeLessThan(1e-5);
    for (const [i, b] of net.buffers.entries()) expect(await b.data()).toEqual(stats[i]);
    expect(stats[0]).not.toEqual(new Float32Array(16)); // the training pass did move them
    tf.dispose(x);
    net.dispose();
  });
});

describe('trainStep micro-batching', () => {
  beforeAll(async () => {
    await selectBackend(TRAIN_BACKEND);
  });

  // A batch whose second half repeats its first: each half has the full batch's BatchNorm
  // statistics and mean gradient, so two micro-batches must give the one-pass update.
  it('sums weighted micro-batch gradients into the full-batch update (JSD views sliced per micro-batch)', async () => {
    const b = 8;
    const half = tf.randomNormal([3, b / 2, 8, 8, 3], 0, 1, 'float32', 5);
    const images = tf.tidy(() => tf.reshape(tf.concat([half, half], 1), [3 * b, 8, 8, 3]) as tf.Tensor4D);
    const labels = tf.tensor1d([1, 2, 3, 4, 1, 2, 3, 4], 'int32');
    const tb = { epoch: 0, step: 0, index: 0, size: b, views: 3, images, labels, dispose: () => undefined };
    const after = async (micro: number): Promise<{ loss: number; params: Float32Array[] }> => {
      const net = createWrn({ depth: 10, widen: 1, classes: 5, seed: 1 });
      const sgd = new Sgd(net.params, { momentum: 0.9, nesterov: true, weightDecay: 5e-4 });
      const { loss } = await trainStep(net, sgd, tb, 0.1, micro, 's');
      const params = await Promise.all(net.params.map(async (p) => (await p.data()).slice() as Float32Array));
      sgd.dispose();
      net.dispose();
      return { loss, params };
    };
    const before = tf.memory().numTensors;
    const whole = await after(b);
    const micro = await after(b / 2);
    expect(tf.memory().numTensors).toBe(before);
    expect(micro.loss).toBeCloseTo(whole.loss, 4);
    whole.params.forEach((p, i) => expect(relErr(micro.params[i]!, p)).toBeLessThan(1e-5));
    tf.dispose([half, images, labels]);
  });
});

describe('cosineLr', () => {
  it('matches the reference LambdaLR, stepped after every batch', () => {
    const { total, lr, lrMin, lrs } = torch.cosine;
    lrs.forEach((want, step) => expect(cosineLr(step, total, lr, lrMin)).toBeCloseTo(want, 12));
    expect(cosineLr(total, total, lr, lrMin)).toBeCloseTo(lrMin, 15);
  });
});

describe('gpuMicroBatch', () => {
  it("keeps the first stage's activations within the device's largest storage binding", () => {
    const MiB = 2 ** 20;
    // WRN-40-2, JSD, 32x32: 3 x 32 x 32 x 32 float32 = 384 KiB a sample, so 341 fit in 128 MiB.
    expect(gpuMicroBatch(128 * MiB, 2, 3, 128, 32, 32)).toBe(128);
    expect(gpuMicroBatch(128 * MiB, 2, 3, 512, 32, 32)).toBe(341);
    // WRN-28-10: 5 x wider.
    expect(gpuMicroBatch(128 * MiB, 10, 3, 128, 32, 32)).toBe(68);
    expect(gpuMicroBatch(128 * MiB, 10, 1, 128, 64, 64)).toBe(51);
    expect(gpuMicroBatch(1, 10, 3, 128, 224, 224)).toBe(1);
  });
});

describe('wasmMicroBatch', () => {
  it('keeps a pass within what was measured to fit the 4 GiB wasm heap', () => {
    expect(wasmMicroBatch(40, 2, 3, 128)).toBe(21); // 63 images per pass: fits (96 aborts)
    expect(wasmMicroBatch(16, 2, 3, 64)).toBe(53);
    expect(wasmMicroBatch(16, 1, 3, 64)).toBe(64); // the whole batch
    expect(wasmMicroBatch(40, 2, 1, 128)).toBe(64);
    // 64x64 images: 4 times the activations of 32x32.
    expect(wasmMicroBatch(40, 2, 3, 128, 64 * 64)).toBe(5);
    expect(wasmMicroBatch(16, 1, 3, 64, 64 * 64)).toBe(26);
  });
});
