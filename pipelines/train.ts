import { concat, defer, finalize, merge, mergeMap } from 'rxjs';
import { z } from 'zod';
import { event } from '../src/pipeline/events.ts';
import { decodeProgress, loadDataset, loadNotes } from '../src/jobs/loadDataset.ts';
import { param } from '../src/pipeline/params.ts';
import { shared } from '../src/pipeline/sharedParams.ts';
import { definePipeline, type Preset } from '../src/pipeline/pipeline.ts';
import { trainSeeds } from '../src/jobs/trainSeeds.ts';
import { subset, type Dataset } from '../src/data/dataset.ts';
import { selectBackend } from '../src/model/backend.ts';
import { backendEvents } from '../src/jobs/backendEvents.ts';
import { gpuMicroBatch } from '../src/model/gpuMicroBatch.ts';
import { wasmMicroBatch } from '../src/model/wasmMicroBatch.ts';
import { referenceRecipe } from '../src/model/train.ts';
import { strategies, viewCount } from '../src/ops/strategy.ts';
import { loadStrategy } from '../src/streams/loadStrategy.ts';

const r = referenceRecipe;

const params = z.object({
  data: shared.data('CIFAR-10/100 binary folder or image folder (train and test splits)'),
  size: shared.size,
  skipBad: shared.skipBad,
  strategy: param.strategy({
    default: 'AugSVF',
    help: 'augmentation strategy: a built-in or a strategy module (JSD strategies train with the JSD loss, the others with CE)',
  }),
  seeds: param.intList({ default: [0], min: 0, help: 'one run per seed, each in seed-<n>/' }),
  depth: shared.depth(r.depth, 'WRN depth'),
  widen: shared.widen(r.widen, 'WRN width multiplier'),
  dropRate: param.number({ default: r.dropRate, min: 0, max: 0.99, help: 'dropout between the convs of a block' }),
  epochs: param.int({ default: r.epochs, min: 1, help: 'training epochs' }),
  batchSize: param.int({ default: r.batchSize, min: 1, help: 'samples per optimiser step' }),
  microBatch: param.optionalInt({ min: 1, help: 'samples per forward/backward pass, gradients summed (default: the batch, or what fits the wasm heap)' }),
  lr: param.number({ default: r.lr, min: 0, help: 'initial learning rate' }),
  lrMin: param.number({ default: r.lrMin, min: 0, help: 'final learning rate of the per-step cosine' }),
  momentum: param.number({ default: r.momentum, min: 0, max: 1, help: 'SGD momentum' }),
  nesterov: param.boolean({ default: r.nesterov, help: 'Nesterov momentum' }),
  weightDecay: param.number({ default: r.weightDecay, min: 0, help: 'L2 on every parameter' }),
  holdout: param.int({ default: 0, min: 0, help: 'training images held out for best-checkpoint selection' }),
  evalBatch: param.int({ default: 250, min: 1, help: 'evaluation batch size' }),
  backend: shared.backend,
  threads: shared.threads,
  workers: shared.workers,
  chunkSize: param.optionalInt({ min: 1, help: 'samples per worker task (default: the batch size, so batches need no copy)' }),
  resume: param.boolean({ default: false, help: 'continue from the checkpoints in the run directory' }),
  limit: param.optionalInt({ min: 2, help: 'use only the first N train and N test images (quick trials); default all' }),
});

/** The paper's recipe (AugMix's cifar.py: WRN-40-2, 100 epochs, batch 128) with the hold-out split. */
const paper = (data: string): Record<string, unknown> => ({ data, seeds: [0, 1, 2, 3], holdout: 5000, evalBatch: 1000 });
/**
 * Sized for the bundled 5,085 training images on a small CPU machine: a WRN-16-1, 10 epochs,
 * 500 images held out. The numbers are small-scale; the recipe is the same.
 */
const mini: Record<string, unknown> = { data: 'data/cifar10-mini', depth: 16, widen: 1, epochs: 10, batchSize: 64, holdout: 500, seeds: [0], lrMin: 1e-4 };

const presets: Record<string, Preset> = {};
for (const s of Object.keys(strategies)) {
  const id = s.toLowerCase();
  presets[`train-${id}-cifar10`] = {
    description: `${s}, WRN-40-2, CIFAR-10 (data/cifar-10-batches-bin), paper recipe, seeds 0-3`,
    params: { ...paper('data/cifar-10-batches-bin'), strategy: s },
  };
  presets[`train-${id}-cifar100`] = {
    description: `${s}, WRN-40-2, CIFAR-100 (data/cifar-100-binary), paper recipe, seeds 0-3`,
    params: { ...paper('data/cifar-100-binary'), strategy: s },
  };
  presets[`train-${id}-cifar10-mini`] = {
    description: `${s}, WRN-16-1, bundled cifar10-mini, 10 epochs (minutes on a CPU)`,
    params: { ...mini, strategy: s },
  };
}

export default definePipeline({
  name: 'train',
  description: 'Train WRNs with a strategy (JSD loss for AugMix ones), one run per seed, with checkpoints, resume and a summary over seeds',
  params,
  presets,
  run: (p, ctx) => {
    // Image folders are decoded with a progress bar per split (nothing shows for CIFAR files).
    const decoding = { train: decodeProgress('decode train images'), test: decodeProgress('decode test images') };
    const load = (split: 'train' | 'test'): Promise<Dataset> =>
      loadDataset(p.data, split, ctx.cwd, { size: p.size, skipBad: p.skipBad, onProgress: decoding[split].onProgress }).finally(decoding[split].done);
    const run = defer(async () => {
      const strategy = await loadStrategy(p.strategy, ctx.cwd);
      const selection = await selectBackend(p.backend, { threads: p.threads });
      const [train, test] = (await Promise.all([load('train'), load('test')])).map((d) =>
        p.limit === undefined ? d : subset(d, 0, Math.min(p.limit, d.count)),
      );
      return { strategy, selection, train: train!, test: test!, notes: [...loadNotes(train!), ...loadNotes(test!)] };
    }).pipe(
      mergeMap(({ strategy, selection, train, test, notes }) => {
        const views = viewCount(strategy);
        const { height, width } = train.shape;
        const binding = selection.adapter?.limits.maxStorageBufferBindingSize;
        const fit =
          selection.name === 'wasm'
            ? wasmMicroBatch(p.depth, p.widen, views, p.batchSize, height * width)
            : binding !== undefined
              ? gpuMicroBatch(binding, p.widen, views, p.batchSize, height, width)
              : p.batchSize;
        const limitedBy = selection.name === 'wasm' ? 'the 4 GiB wasm heap' : `the GPU's ${Math.round((binding ?? 0) / 2 ** 20)} MiB per storage binding`;
        const microBatch = p.microBatch ?? fit;
        const note =
          microBatch < p.batchSize
            ? [
                event.log(
                  `micro-batches of ${microBatch} samples (gradients summed per batch of ${p.batchSize}; BatchNorm sees each micro-batch)${p.microBatch === undefined ? `: what fits ${limitedBy} for this WRN` : ''}`,
                ),
              ]
            : [];
        return concat(
          [...backendEvents(selection), ...notes.map(event.log), ...note],
          trainSeeds({
            train,
            test,
            strategy,
            config: { ...p, microBatch },
            seeds: p.seeds,
            runDir: ctx.runDir,
            resume: p.resume,
          }),
        );
      }),
      finalize(() => Object.values(decoding).forEach((d) => d.done())),
    );
    return merge(decoding.train.events, decoding.test.events, run);
  },
});
