import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/model/backend.ts';
import { createWrn } from '../../src/model/wrn.ts';
import { TRAIN_BACKEND } from './testBackend.ts';

describe('createWrn', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it.each([
    [40, 2, 2_243_546],
    [16, 2, 691_674],
  ])('WRN-%i-%i for 10 classes has %i parameters', (depth, widen, count) => {
    const before = tf.memory().numTensors;
    const net = createWrn({ depth, widen, classes: 10, seed: 0 });
    expect(net.paramCount).toBe(count);
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('gives [N, 10] finite logits on cpu and leaks no tensor', async () => {
    const before = tf.memory().numTensors;
    const net = createWrn({ depth: 16, widen: 1, classes: 10, seed: 1 });
    const x = tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const logits = net.forward(x);
    expect(logits.shape).toEqual([2, 10]);
    expect([...(await logits.data())].every(Number.isFinite)).toBe(true);
    tf.dispose([x, logits]);
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is a pure function of the seed, with the reference init', async () => {
    const a = createWrn({ depth: 16, widen: 1, classes: 10, seed: 7 });
    const b = createWrn({ depth: 16, widen: 1, classes: 10, seed: 7 });
    expect(await a.params[0]!.data()).toEqual(await b.params[0]!.data());
    const stem = (await a.params[0]!.data()) as Float32Array; // 3x3, 3 -> 16: std sqrt(2/(9·16))
    const std = Math.sqrt(stem.reduce((s, v) => s + v * v, 0) / stem.length);
    expect(std).toBeGreaterThan(0.8 * Math.sqrt(2 / 144));
    expect(std).toBeLessThan(1.2 * Math.sqrt(2 / 144));
    const fc = (await a.params.at(-2)!.data()) as Float32Array; // U(-1/8, 1/8) for 64 inputs
    expect(Math.max(...fc.map(Math.abs))).toBeLessThanOrEqual(1 / 8);
    a.dispose();
    b.dispose();
  });

  it(`has the same gradients on ${TRAIN_BACKEND} (custom conv kernels, explicit padding) as on cpu`, async () => {
    const grads = async (backend: 'cpu' | typeof TRAIN_BACKEND): Promise<Float32Array[]> => {
      await selectBackend(backend);
      const before = tf.memory().numTensors;
      const net = createWrn({ depth: 10, widen: 1, classes: 10, seed: 2 });
      const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
      const y = tf.tidy(() => tf.oneHot(tf.tensor1d([3, 7], 'int32'), 10));
      const gs = tf.tidy(() => {
        const { grads: g } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, net.forward(x, { training: true })), [...net.params]);
        return net.params.map((v) => g[v.name]!);
      });
      const out = await Promise.all(gs.map(async (g) => (await g.data()) as Float32Array));
      tf.dispose(gs);
      tf.dispose([x, y]);
      net.dispose();
      expect(tf.memory().numTensors).toBe(before);
      return out;
    };
    const want = await grads('cpu');
    const got = await grads(TRAIN_BACKEND);
    for (let i = 0; i < want.length; i++) {
      let diff = 0;
      let scale = 0;
      for (let j = 0; j < want[i]!.length; j++) {
        diff = Math.max(diff, Math.abs(got[i]![j]! - want[i]![j]!));
        scale = Math.max(scale, Math.abs(want[i]![j]!));
      }
      expect(diff).toBeLessThanOrEqual(1e-3 * scale + 1e-7);
    }
  });

  it('rejects a depth that is not 6n+4', () => {
    expect(() => createWrn({ depth: 18, widen: 2, classes: 10, seed: 0 })).toThrow(
      new RangeError('WRN depth must be 6n+4 with n ≥ 1 (e.g. 16, 28, 40); got 18'),
    );
  });
});
