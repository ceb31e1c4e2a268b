import { join } from 'node:path';
import { concat, defer, finalize, map, mergeMap, type Observable } from 'rxjs';
import { z } from 'zod';
import { event, type PipelineEvent } from '../src/pipeline/events.ts';
import { loadDataset } from '../src/jobs/loadDataset.ts';
import { param } from '../src/pipeline/params.ts';
import { shared } from '../src/pipeline/sharedParams.ts';
import { definePipeline } from '../src/pipeline/pipeline.ts';
import { writeFileAtomic, writeJsonAtomic } from '../src/data/atomic.ts';
import { imageBytes, type Dataset } from '../src/data/dataset.ts';
import type { SampleParams } from '../src/ops/sampleParams.ts';
import { strategies, type Strategy } from '../src/ops/strategy.ts';
import { loadStrategies } from '../src/streams/loadStrategy.ts';
import { renderSheet } from '../src/report/contactSheet.ts';
import { denormalize, pickImages } from '../src/report/previewImages.ts';
import { augment } from '../src/streams/augment.ts';
import { batch } from '../src/streams/batch.ts';
import { epochs } from '../src/streams/epochs.ts';
import { createAugmentPool } from '../src/streams/pool.ts';

/** What one strategy's block shows: which view, and per cell the parameters that made it. */
interface Block {
  readonly strategy: Strategy;
  /** The view drawn: aug1 (view 1) for JSD strategies, else the single view. */
  readonly view: number;
  readonly cells: Uint8Array[][];
  readonly params: (Omit<SampleParams, 'views'> & { epoch: number; view: SampleParams['views'][number] })[][];
}

export default definePipeline({
  name: 'preview',
  description: 'Contact sheet of augmented samples per strategy (preview.png) with their sampled parameters (preview.json)',
  params: z.object({
    data: shared.data('CIFAR-10/100 binary folder or image folder'),
    size: shared.size,
    skipBad: shared.skipBad,
    split: param.enum(['train', 'test'], { default: 'test', help: 'which split to take images from' }),
    strategies: param.strategies({ default: Object.keys(strategies), help: 'strategies to show, one block each: built-ins or strategy modules' }),
    images: param.int({ default: 6, min: 1, max: 100, help: 'images (rows) per block, one per class first' }),
    samples: param.int({ default: 5, min: 1, max: 50, help: 'augmented samples (columns) per image: epochs 0..samples-1' }),
    seed: shared.seed('augmentation seed'),
  }),
  run: (p, ctx) =>
    defer(() => Promise.all([loadDataset(p.data, p.split, ctx.cwd, { size: p.size, skipBad: p.skipBad }), loadStrategies(p.strategies, ctx.cwd)])).pipe(
      mergeMap(([ds, loaded]): Observable<PipelineEvent> => {
        const picked = pickImages(ds, p.images);
        // The augmentation is a pure function of (seed, epoch, dataset index): epoch e gives
        // column e, and each cell is what training on this split with this seed draws in epoch e.
        const rowOf = new Map(picked.map((index, row) => [index, row]));
        const size = imageBytes(ds.shape);
        const blocks: Block[] = loaded.map((strategy) => {
          const cells = picked.map((index) => [ds.pixels.slice(index * size, (index + 1) * size)]);
          return { strategy, view: strategy.jsd ? 1 : 0, cells, params: picked.map(() => []) };
        });
        const total = blocks.length * picked.length * p.samples;
        let done = 0;
        const pool = createAugmentPool(1); // shared by every strategy: one worker start-up, not seven
        const work = blocks.map((block) =>
          epochs(ds, { epochs: p.samples, seed: p.seed, shuffle: false, indices: picked }).pipe(
            augment(block.strategy, { workers: pool, chunkSize: picked.length, record: true }),
            batch(picked.length),
            map((b) => {
              const per = b.shape.width * b.shape.height * b.shape.channels;
              b.indices.forEach((index, i) => {
                const row = rowOf.get(index)!;
                const at = (block.view * b.size + i) * per;
                block.cells[row]!.push(denormalize(b.data.subarray(at, at + per), block.strategy.mean, block.strategy.std));
                const { views, ...rest } = b.params![i]!;
                block.params[row]!.push({ epoch: b.epoch, ...rest, view: views[block.view] ?? null });
              });
              b.release();
              done += b.size;
              return event.progress('preview', done, total, 'images', block.strategy.name);
            }),
          ),
        );
        return concat(
          [event.log(`preview: ${picked.length} images of ${ds.name} (indices ${picked.join(', ')}), ${p.samples} samples each`)],
          concat(...work).pipe(finalize(() => void pool.destroy())),
          defer(() => writeOutputs(ds, picked, blocks, p, ctx.runDir)).pipe(mergeMap((events) => events)),
        );
      }),
    ),
});

async function writeOutputs(
  ds: Dataset,
  picked: number[],
  blocks: Block[],
  p: { samples: number; seed: number; split: string },
  runDir: string,
): Promise<PipelineEvent[]> {
  const columns = ['original', ...Array.from({ length: p.samples }, (_, e) => `epoch ${e}`)];
  const rows = picked.map((idx) => ds.classes[ds.labels[idx]!] ?? String(ds.labels[idx]));
  const viewName = (b: Block): string => (b.strategy.ops.length === 0 ? 'flip + crop only' : b.strategy.jsd ? 'view aug1' : 'augmented view');
  const png = await renderSheet({
    title: `Augmentation preview: ${ds.name}`,
    subtitle: `seed ${p.seed} · first column: the image as stored (no flip/crop) · then one sample per epoch · JSD strategies show view aug1`,
    columns,
    blocks: blocks.map((b) => ({ title: `${b.strategy.name}  (${viewName(b)})`, rows, cells: b.cells })),
    width: ds.shape.width,
    height: ds.shape.height,
    scale: 3,
    blocksPerRow: Math.ceil(blocks.length / Math.ceil(blocks.length / 4)),
  });
  const pngPath = join(runDir, 'preview.png');
  const jsonPath = join(runDir, 'preview.json');
  await writeFileAtomic(pngPath, png);
  await writeJsonAtomic(jsonPath, {
    dataset: ds.name,
    split: p.split,
    seed: p.seed,
    samples: p.samples,
    columns,
    note: 'cell (row, column) is what training on this split with this seed draws for image index in epoch column - 1',
    images: picked.map((index, row) => ({ row, index, label: ds.labels[index], class: rows[row] })),
    strategies: blocks.map((b) => ({ name: b.strategy.name, view: b.view, shown: viewName(b), strategy: b.strategy, cells: b.params })),
  });
  return [
    event.artifact(pngPath, 'contact sheet: rows = images, columns = original then one sample per epoch'),
    event.artifact(jsonPath, 'picked images and the sampled parameters of every cell'),
    event.summary([`preview: open ${pngPath}`]),
  ];
}
