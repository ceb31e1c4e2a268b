import * as tf from '@tensorflow/tfjs-core';
import { join } from 'node:path';
import { exportOnnx } from '../../../src/jobs/exportOnnx.ts';
import { readCifar10 } from '../../../src/data/cifar.ts';
import { subset, type Dataset } from '../../../src/data/dataset.ts';
import { selectBackend } from '../../../src/model/backend.ts';
import { saveCheckpoint } from '../../../src/model/checkpoint.ts';
import { evaluateCell } from '../../../src/model/fourierAttack.ts';
import { openModel, type ModelSource } from '../../../src/model/modelSource.ts';
import { createWrn } from '../../../src/model/wrn.ts';
import { fourierGrid } from '../../../src/ops/fourierGrid.ts';
import { Rng } from '../../../src/ops/rng.ts';
import { tmpDir } from '../../data/tmpDir.ts';
import { TRAIN_BACKEND } from '../testBackend.ts';

const dir = tmpDir('onnx-export');
const normalize = { mean: [0.49, 0.48, 0.45], std: [0.25, 0.24, 0.26] };
const expected = { height: 32, width: 32, channels: 3, classes: 10 };
let images: Dataset;

beforeAll(async () => {
  await selectBackend(TRAIN_BACKEND);
  images = subset(await readCifar10('data/cifar10-mini', 'test'), 0, 16);
});

/**
 * A checkpoint of a WRN whose BatchNorm affine parameters, running statistics and biases are
 * random (a fresh WRN has gamma 1, beta 0, mean 0, var 1: an export that mixed them up would pass).
 */
async function checkpoint(depth: number, widen: number): Promise<string> {
  const net = createWrn({ depth, widen, classes: 10, seed: depth * 10 + widen });
  let i = 0;
  const fill = (v: tf.Variable, draw: (r: Rng) => number): void => {
    const r = Rng.at(7, 'init', 1, i++);
    v.assign(
      tf.tensor(
        Float32Array.from({ length: v.size }, () => draw(r)),
        v.shape,
      ),
    );
  };
  for (const p of net.params) if (p.rank === 1) fill(p, (r) => r.range(0.5, 1.5));
  net.buffers.forEach((b, k) => fill(b, k % 2 === 0 ? (r) => 0.3 * r.normal() : (r) => r.range(0.5, 2)));
  const path = join(dir, `wrn-${depth}-${widen}.msgpack`);
  await saveCheckpoint(path, net, null, { epoch: 1, step: 1, best: null, fingerprint: { strategy: { name: 'AugSVF', ...normalize } } });
  net.dispose();
  return path;
}

async function outputs(model: ModelSource): Promise<{ logits: Float32Array; probs: Float32Array }> {
  const clean = model.classifier.cleanSet(images, 6);
  try {
    return { logits: (await clean.logits(null))!, probs: (await clean.probabilities(null))! };
  } finally {
    clean.dispose();
  }
}

const argmax = (xs: Float32Array): number[] =>
  Array.from({ length: xs.length / 10 }, (_, i) => [...xs.subarray(i * 10, i * 10 + 10)].reduce((b, v, k, a) => (v > a[b]! ? k : b), 0));

describe(`fourier-augmix export: our WRN in onnxruntime gives tfjs's logits (tfjs on ${TRAIN_BACKEND})`, () => {
  it.each([
    [10, 2],
    [16, 1],
  ])('WRN-%i-%i: logits within 1e-4 on 16 bundled test images, same predictions, normalisation read from the metadata', async (depth, widen) => {
    const ck = await checkpoint(depth, widen);
    const onnx = join(dir, `wrn-${depth}-${widen}.onnx`);
    const lines = await exportOnnx(ck, onnx, dir);
    expect(lines[0]).toContain(`wrote ${onnx}`);
    expect(lines[0]).toContain(`AugSVF WRN-${depth}-${widen}, 10 classes, ONNX opset 13`);
    const theirs = await openModel(onnx, { cwd: dir, expected });
    const ours = await openModel(ck, { cwd: dir, expected });
    try {
      expect(theirs.normalize).toEqual(normalize);
      expect(theirs.identity).toMatchObject({ strategy: 'AugSVF', format: 'onnx', classes: 10, input: { layout: 'nchw', channelOrder: 'rgb', scale: 1 } });
      expect(theirs.classifier.description).toContain('NCHW RGB, dynamic batch');
      const [a, b] = [await outputs(theirs), await outputs(ours)];
      const diff = Math.max(...a.logits.map((v, i) => Math.abs(v - b.logits[i]!)));
      expect(diff).toBeLessThan(1e-4);
      // The logits are not all alike (a constant net would pass the check above trivially).
      expect(Math.max(...b.logits) - Math.min(...b.logits)).toBeGreaterThan(0.1);
      expect(argmax(a.probs)).toEqual(argmax(b.probs));

      // Under a Fourier perturbation too: built in JS for onnxruntime, on the backend for tfjs.
      const cell = fourierGrid({ height: 32, width: 32, phaseFactors: [0.75], convention: 'paper', norms: [4], alignments: ['random-flip'], maxK: 2 }).find(
        (c) => Math.abs(c.kx) === 2 && Math.abs(c.ky) === 1,
      )!;
      const [ca, cb] = [theirs.classifier.cleanSet(images, 16), ours.classifier.cleanSet(images, 5)];
      const [ra, rb] = [(await evaluateCell(ca, cell, { seed: 3 }))!, (await evaluateCell(cb, cell, { seed: 3 }))!];
      ca.dispose();
      cb.dispose();
      expect(ra.error).toBe(rb.error);
      expect(Math.abs(ra.loss - rb.loss)).toBeLessThan(1e-5);
    } finally {
      theirs.classifier.dispose();
      ours.classifier.dispose();
    }
  });

  it('refuses an output name without .onnx and a missing --onnx', async () => {
    const ck = await checkpoint(10, 1);
    await expect(exportOnnx(ck, join(dir, 'model.bin'), dir)).rejects.toThrow(`export: --onnx ${join(dir, 'model.bin')}: the file name must end in .onnx`);
    await expect(exportOnnx(ck, undefined, dir)).rejects.toThrow('export: missing --onnx <file>');
  });
});
