import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCifar10 } from '../../../src/data/cifar.ts';
import type { Dataset } from '../../../src/data/dataset.ts';
import { subset } from '../../../src/data/dataset.ts';
import { evaluateCell } from '../../../src/model/fourierAttack.ts';
import { evaluateClean } from '../../../src/model/evaluateClean.ts';
import { openModel, type ModelSource } from '../../../src/model/modelSource.ts';
import { fourierGrid } from '../../../src/ops/fourierGrid.ts';
import { tmpDir } from '../../data/tmpDir.ts';

/** Made by test/fixtures/make_onnx_fixtures.py with torch 1.13: a WRN-10-1 and its logits on the first 8 test images. */
const FIXTURES = 'test/fixtures/onnx';
const reference = JSON.parse(readFileSync(join(FIXTURES, 'wrn-10-1.json'), 'utf8')) as {
  images: number;
  labels: number[];
  mean: number[];
  std: number[];
  logits: number[][];
};
const expected = { height: 32, width: 32, channels: 3, classes: 10 };
const torchStats = { mean: reference.mean, std: reference.std };
const dir = tmpDir('onnx-model');
let test: Dataset;

beforeAll(async () => {
  test = subset(await readCifar10('data/cifar10-mini', 'test'), 0, reference.images);
});

const maxAbsDiff = (got: Float32Array, want: number[][]): number => Math.max(...want.flat().map((v, i) => Math.abs(got[i]! - v)));

async function logitsOf(model: ModelSource, batchSize: number, images: Dataset = test): Promise<Float32Array> {
  const clean = model.classifier.cleanSet(images, batchSize);
  try {
    return (await clean.logits(null))!;
  } finally {
    clean.dispose();
  }
}

describe('an ONNX model exported by PyTorch, through our loader on onnxruntime-node', () => {
  it('reproduces the logits torch computed on 8 bundled test images (max abs difference < 1e-4), at any batch size', async () => {
    const model = await openModel(join(FIXTURES, 'wrn-10-1.onnx'), { cwd: process.cwd(), expected, input: torchStats });
    try {
      expect(model.label).toBe('wrn-10-1 (ONNX)');
      expect(model.classifier.description).toContain('NCHW RGB, dynamic batch');
      for (const batch of [8, 3]) expect(maxAbsDiff(await logitsOf(model, batch), reference.logits)).toBeLessThan(1e-4);
      const clean = model.classifier.cleanSet(test, 5);
      expect(clean.batches.flatMap((b) => [...b.labels])).toEqual(reference.labels);
      clean.dispose();
    } finally {
      model.classifier.dispose();
    }
  });

  it("without the model's statistics, uses the documented defaults (mean = std = 0.5), which gives other logits", async () => {
    const model = await openModel(join(FIXTURES, 'wrn-10-1.onnx'), { cwd: process.cwd(), expected });
    try {
      expect(model.normalize).toEqual({ mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] });
      expect(maxAbsDiff(await logitsOf(model, 8), reference.logits)).toBeGreaterThan(1e-2);
    } finally {
      model.classifier.dispose();
    }
  });

  it('runs a fixed-batch NHWC model (layout from its input shape, batch 4 from the model, the last batch padded)', async () => {
    const model = await openModel(join(FIXTURES, 'wrn-10-1-nhwc-b4.onnx'), { cwd: process.cwd(), expected, input: torchStats });
    try {
      expect(model.classifier.description).toContain('NHWC RGB, fixed batch 4');
      expect(model.identity.input).toEqual({ layout: 'nhwc', channelOrder: 'rgb', scale: 1 });
      const seven = subset(test, 0, 7);
      const clean = model.classifier.cleanSet(seven, 500);
      expect(clean.batches.map((b) => b.indices.length)).toEqual([4, 3]);
      const logits = (await clean.logits(null))!;
      clean.dispose();
      expect(logits.length).toBe(70);
      expect(maxAbsDiff(logits, reference.logits.slice(0, 7))).toBeLessThan(1e-4);
    } finally {
      model.classifier.dispose();
    }
  });

  it('evaluates clean images and Fourier cells like any model: a zero wave (φ = 3π/2, k = 0) equals the clean evaluation', async () => {
    const model = await openModel(join(FIXTURES, 'wrn-10-1.onnx'), { cwd: process.cwd(), expected, input: torchStats });
    try {
      const clean = model.classifier.cleanSet(test, 3);
      const cells = fourierGrid({ height: 32, width: 32, phaseFactors: [0.75], convention: 'paper', norms: [4], alignments: ['random-flip'], maxK: 1 });
      const zero = (await evaluateCell(
        clean,
        cells.find((c) => c.kx === 0 && c.ky === 0)!,
        { seed: 0 },
      ))!;
      const plain = await evaluateClean(clean);
      const { cell: _c, seconds: _s, ...figures } = zero;
      expect(figures).toEqual(plain);
      const strong = (await evaluateCell(
        clean,
        cells.find((c) => c.kx !== 0 || c.ky !== 0)!,
        { seed: 0 },
      ))!;
      expect(strong.loss).not.toBe(plain.loss);
      clean.dispose();
    } finally {
      model.classifier.dispose();
    }
  });
});

describe('bad models and options give errors naming the file, the expected and the actual shape', () => {
  const open = (file: string, more: Partial<Parameters<typeof openModel>[1]> = {}) => openModel(file, { cwd: process.cwd(), expected, ...more });

  it('a truncated file', async () => {
    const bytes = readFileSync(join(FIXTURES, 'wrn-10-1.onnx'));
    const cut = join(dir, 'truncated.onnx');
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expect(open(cut)).rejects.toThrow(new RegExp(`model ${cut}: not a readable ONNX file: .*truncated`));
  });

  it('a file onnxruntime cannot load (valid protobuf, not a model)', async () => {
    const junk = join(dir, 'graphless.onnx');
    writeFileSync(junk, Uint8Array.from([0x08, 0x07, 0x3a, 0x02, 0x12, 0x00]));
    await expect(open(junk)).rejects.toThrow(`model ${junk}: onnxruntime cannot load it`);
  });

  it('an input of the wrong rank', async () => {
    const path = join(process.cwd(), FIXTURES, 'bad-rank.onnx');
    await expect(open(path)).rejects.toThrow(
      `model ${path}: input 'input' has shape [batch, 3072] (rank 2); expected rank 4: [N, 3, 32, 32] (NCHW) or [N, 32, 32, 3] (NHWC)`,
    );
  });

  it("a class count other than the dataset's", async () => {
    const path = join(process.cwd(), FIXTURES, 'bad-classes.onnx');
    await expect(open(path)).rejects.toThrow(`model ${path}: output 'logits' has shape [batch, 7]: 7 classes, the data has 10`);
  });

  it('images of another size than the model takes', async () => {
    const path = join(process.cwd(), FIXTURES, 'wrn-10-1.onnx');
    await expect(open(path, { expected: { ...expected, height: 28, width: 28 } })).rejects.toThrow(
      `model ${path}: input 'input' has shape [batch, 3, 32, 32] (NCHW): height 32, the data's images need [N, 3, 28, 28]`,
    );
  });

  it('a layout the shape contradicts, a mean of the wrong length, a std of 0', async () => {
    const path = join(process.cwd(), FIXTURES, 'wrn-10-1.onnx');
    await expect(open(path, { input: { layout: 'nhwc' } })).rejects.toThrow(
      `model ${path}: input 'input' has shape [batch, 3, 32, 32] (NHWC): channels 32, the data's images need [N, 32, 32, 3]`,
    );
    await expect(open(path, { input: { mean: [0.5, 0.5] } })).rejects.toThrow(
      `model ${path}: mean (option) has 2 values [0.5, 0.5]; the images have 3 channels`,
    );
    await expect(open(path, { input: { std: [1, 0, 1] } })).rejects.toThrow(`model ${path}: std (option) [1, 0, 1] must be > 0 everywhere`);
  });

  it('a missing file, and ONNX options given for a checkpoint', async () => {
    await expect(open(join(dir, 'absent.onnx'))).rejects.toThrow(`model ${join(dir, 'absent.onnx')}: no such file`);
    const ck = join(dir, 'x.msgpack');
    copyFileSync(join(FIXTURES, 'bad-rank.onnx'), ck);
    await expect(open(ck, { input: { mean: [0.5, 0.5, 0.5], scale: 255 } })).rejects.toThrow(
      `mean=, scale=: only for ONNX models; checkpoint ${ck} carries its own normalisation`,
    );
  });

  it('onnxruntime-node not installed: says how to install it', async () => {
    const importer = async (s: string): Promise<never> => {
      throw new Error(`Cannot find package '${s}' imported from here`);
    };
    await expect(open(join(FIXTURES, 'wrn-10-1.onnx'), { importer })).rejects.toThrow(
      /^onnxruntime-node is not installed \(Cannot find package 'onnxruntime-node' imported from here\): ONNX models need it\. Run `npm i onnxruntime-node` \(its install script only fetches CUDA extras; skip it where there is no network: `npm install-scripts deny onnxruntime-node` or ONNXRUNTIME_NODE_INSTALL=skip\)$/,
    );
  });
});
