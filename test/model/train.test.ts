import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filter, lastValueFrom, take, toArray } from 'rxjs';
import { MetricsLog } from '../../src/data/metricsLog.ts';
import { selectBackend } from '../../src/model/backend.ts';
import { loadCheckpoint } from '../../src/model/checkpoint.ts';
import { holdoutSplit, train, type TrainConfig, type TrainEvent, type TrainSetup } from '../../src/model/train.ts';
import { strategies } from '../../src/ops/strategy.ts';
import { makeDataset } from '../streams/helpers.ts';
import { TRAIN_BACKEND } from './testBackend.ts';

const config: TrainConfig = {
  depth: 10,
  widen: 1,
  dropRate: 0,
  epochs: 3,
  batchSize: 8,
  microBatch: 8,
  lr: 0.05,
  lrMin: 1e-4,
  momentum: 0.9,
  nesterov: true,
  weightDecay: 5e-4,
  seed: 3,
  holdout: 6,
  evalBatch: 16,
  workers: 0,
  chunkSize: 8,
};
const ds = makeDataset(30, 16, 16);
const dirs: string[] = [];
const runDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'fa-train-'));
  dirs.push(d);
  return d;
};
const setup = (over: Partial<TrainSetup> = {}, cfg: Partial<TrainConfig> = {}): TrainSetup => ({
  train: ds,
  test: makeDataset(10, 16, 16),
  strategy: strategies.AugSVF!,
  config: { ...config, ...cfg },
  runDir: runDir(),
  resume: false,
  ...over,
});
const run = (s: TrainSetup): Promise<TrainEvent[]> => lastValueFrom(train(s).pipe(toArray()));
const weights = async (path: string): Promise<Float32Array[]> => {
  const ck = await loadCheckpoint(path);
  return [...ck.params, ...ck.buffers, ...ck.momentum];
};

beforeAll(async () => {
  await selectBackend(TRAIN_BACKEND);
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('holdoutSplit', () => {
  it('is a seeded partition of the training indices', () => {
    const a = holdoutSplit(100, 10, 1);
    expect(a.holdout).toHaveLength(10);
    expect([...a.holdout, ...a.train].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(holdoutSplit(100, 10, 1)).toEqual(a);
    expect(holdoutSplit(100, 10, 2).holdout).not.toEqual(a.holdout);
    expect(() => holdoutSplit(10, 10, 0)).toThrow('holdout must be an integer in [0, 10), got 10');
  });
});

describe(`train (WRN-10-1 on 16x16 synthetic images, ${TRAIN_BACKEND})`, () => {
  it('runs epochs of JSD steps, evaluates the hold-out set, checkpoints and reports, leaking no tensor', async () => {
    const before = tf.memory().numTensors;
    const s = setup();
    const events = await run(s);
    expect(tf.memory().numTensors).toBe(before);
    const types = events.map((e) => e.type);
    // 24 training images in batches of 8: 3 steps per epoch.
    expect(types).toEqual(['start', ...Array(3).fill(['step', 'step', 'step', 'epoch', 'checkpoint']).flat(), 'done']);
    const steps = events.filter((e) => e.type === 'step');
    expect(steps.map((e) => e.step)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(steps.every((e) => Number.isFinite(e.loss) && e.jsd > 0 && Math.abs(e.loss - e.ce - e.jsd) < 1e-5)).toBe(true);
    expect(steps[0]!.lr).toBe(config.lr);
    expect(steps[8]!.lr).toBeLessThan(steps[1]!.lr);
    const epoch = events.find((e) => e.type === 'epoch')!;
    expect(epoch.holdout!.count).toBe(6);
    expect(epoch.dataWait).toBeGreaterThanOrEqual(0);
    expect(epoch.dataWait).toBeLessThanOrEqual(1);
    const done = events.at(-1)!;
    if (done.type !== 'done') throw new Error('no done event');
    expect(done.result.test!.count).toBe(10);
    expect(done.result.epochs).toBe(3);
    expect(done.result.best).not.toBeNull();
    const log = await MetricsLog.read(join(s.runDir, 'metrics.jsonl'));
    expect(log.map((r) => r.type)).toEqual(types.filter((t) => t === 'step' || t === 'epoch'));
    const ck = await loadCheckpoint(join(s.runDir, 'checkpoint.msgpack'));
    expect([ck.epoch, ck.step]).toEqual([3, 9]);
  });

  it('resumed after an interruption, ends with the same bytes as an uninterrupted run', async () => {
    const whole = setup();
    await run(whole);
    const broken = setup();
    // Stop as soon as epoch 1's checkpoint is written: unsubscribing mid-run.
    await lastValueFrom(
      train(broken).pipe(
        filter((e) => e.type === 'checkpoint'),
        take(1),
      ),
    );
    expect((await loadCheckpoint(join(broken.runDir, 'checkpoint.msgpack'))).epoch).toBe(1);
    const resumed = await run({ ...broken, resume: true });
    expect(resumed[0]).toMatchObject({ type: 'start', startEpoch: 1, resumedFrom: join(broken.runDir, 'checkpoint.msgpack') });
    expect(await weights(join(broken.runDir, 'checkpoint.msgpack'))).toEqual(await weights(join(whole.runDir, 'checkpoint.msgpack')));
    expect(await weights(join(broken.runDir, 'best.msgpack'))).toEqual(await weights(join(whole.runDir, 'best.msgpack')));
    const steps = (await MetricsLog.read(join(broken.runDir, 'metrics.jsonl'))).filter((r) => r.type === 'step').map((r) => r.step);
    expect(steps).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it(`trains on the pure-JS cpu backend too, to the same loss as ${TRAIN_BACKEND} within float tolerance`, async () => {
    // cpu's conv filter gradient runs at ~0.01 GFLOP/s: one Base step on 8x8 images.
    const small = makeDataset(6, 8, 8);
    const trained = async (backend: 'cpu' | typeof TRAIN_BACKEND): Promise<{ losses: number[]; params: Float32Array[] }> => {
      await selectBackend(backend);
      const s = setup({ train: small, test: small, strategy: strategies.Base! }, { epochs: 1, batchSize: 4, holdout: 2, evalBatch: 6 });
      const events = await run(s);
      return {
        losses: events.flatMap((e) => (e.type === 'step' ? [e.loss] : [])),
        params: (await loadCheckpoint(join(s.runDir, 'checkpoint.msgpack'))).params as Float32Array[],
      };
    };
    const [cpu, wasm] = [await trained('cpu'), await trained(TRAIN_BACKEND)];
    expect(cpu.losses).toHaveLength(1);
    expect(cpu.losses[0]).toBeCloseTo(wasm.losses[0]!, 4);
    // After the update: the same weights within float tolerance (the step did change them).
    const diff = Math.max(...cpu.params.map((p, i) => p.reduce((m, v, j) => Math.max(m, Math.abs(v - wasm.params[i]![j]!)), 0)));
    expect(diff).toBeLessThan(1e-4);
  });

  it('trains Base with cross-entropy on one view', async () => {
    const events = await run(setup({ strategy: strategies.Base! }, { epochs: 1 }));
    const steps = events.filter((e) => e.type === 'step');
    expect(steps).toHaveLength(3);
    expect(steps.every((e) => e.jsd === 0 && e.loss === e.ce)).toBe(true);
  });

  it('refuses to overwrite a checkpoint, and to resume with changed settings', async () => {
    const s = setup({}, { epochs: 1 });
    await run(s);
    await expect(run(s)).rejects.toThrow(`${s.runDir} already holds a checkpoint`);
    await expect(run({ ...s, resume: true, config: { ...s.config, lr: 0.2 } })).rejects.toThrow(
      /cannot resume, the run's settings changed: lr was 0.05, now 0.2/,
    );
  });

  it('names the file of a truncated checkpoint', async () => {
    const s = setup({}, { epochs: 1 });
    await run(s);
    const path = join(s.runDir, 'checkpoint.msgpack');
    writeFileSync(path, readFileSync(path).subarray(0, 100));
    await expect(run({ ...s, resume: true })).rejects.toThrow(`checkpoint ${path}`);
  });
});
