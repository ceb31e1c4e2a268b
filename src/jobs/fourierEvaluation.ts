import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from '../data/atomic.ts';
import { concat, concatMap, defer, finalize, from, merge, mergeMap, type Observable } from 'rxjs';
import type { Dataset } from '../data/dataset.ts';
import type { CleanSet } from '../model/classifier.ts';
import { mergeCellFiles, missingCells, openCellLog, type FourierFingerprint } from '../data/fourierResults.ts';
import { evaluatedModelEvents } from './backendEvents.ts';
import { attackCells } from '../model/fourierAttack.ts';
import { evaluateClean } from '../model/evaluateClean.ts';
import { fourierGrid, type FourierGridSpec } from '../ops/fourierGrid.ts';
import { formatShard, inShard, type Shard } from '../ops/shard.ts';
import { CLEAN_FILE, writeFourierReport } from '../report/fourierReport.ts';
import { fourierCells } from '../streams/fourierCells.ts';
import { openEvaluatedModel, type EvaluatedModelSpec } from './openEvaluatedModel.ts';
import { event, type PipelineEvent } from '../pipeline/events.ts';
import { decodeProgress, loadDataset, type LoadOptions } from './loadDataset.ts';
import { percent } from '../report/percent.ts';

export interface FourierEvalSpec extends EvaluatedModelSpec {
  /** `model=`: checkpoint file, seed folder, single-seed run folder (see `resolveCheckpoint`) or .onnx file. */
  /** How to feed an ONNX model (unset: from its metadata, else the defaults). */
  /** CIFAR-10/100 binary folder; its test split is attacked. */
  readonly data: string;
  /** How an image folder is read (size, skipBad). */
  readonly load?: LoadOptions;
  /** The grid, without the image size (taken from the data). */
  readonly grid: Omit<FourierGridSpec, 'height' | 'width'>;
  /** Only the first `images` test images (default all). */
  readonly images?: number;
  readonly shard: Shard;
  readonly batchSize: number;
  /** tfjs backend for checkpoints (ONNX models run on onnxruntime). */
  readonly seed: number;
  /** Where the cells file and, once the grid is complete, the figures go. */
  readonly runDir: string;
}

/** A hash of which images are attacked and their labels: shards must agree on it. */
function imagesHash(ds: Dataset, count: number): string {
  const h = createHash('sha256');
  h.update(Buffer.from(Int32Array.from({ length: count }, (_, i) => i).buffer));
  h.update(Buffer.from(ds.labels.slice(0, count).buffer));
  h.update(Buffer.from(ds.pixels.subarray(0, count * ds.shape.width * ds.shape.height * ds.shape.channels)));
  return h.digest('hex');
}

/**
 * The Fourier attack evaluation as events: the model on the test images under
 * every cell of the grid in this shard, each cell appended to `cells-<i>-of-<n>.jsonl` as it
 * finishes (cells already there are skipped: an interrupted run resumes), then, if every shard's
 * file in `runDir` together covers the grid, `fourier.json`, `table2.md` and the heatmaps.
 */
export function fourierEvaluation(spec: FourierEvalSpec): Observable<PipelineEvent> {
  const decoding = decodeProgress();
  const run = defer(async () => {
    const test = await loadDataset(spec.data, 'test', spec.cwd, { ...spec.load, onProgress: decoding.onProgress }).finally(decoding.done);
    const count = spec.images === undefined ? test.count : Math.min(spec.images, test.count);
    const { selection, model } = await openEvaluatedModel(spec, { ...test.shape, classes: test.classes.length });
    try {
      const grid: FourierGridSpec = { ...spec.grid, height: test.shape.height, width: test.shape.width };
      const fingerprint: FourierFingerprint = {
        grid,
        seed: spec.seed,
        normalize: model.normalize,
        model: model.identity,
        images: { dataset: test.name, count, sha256: imagesHash(test, count) },
      };
      const log = await openCellLog(spec.runDir, fingerprint, spec.shard);
      const cells = fourierGrid(grid);
      const mine = cells.filter((c) => inShard(c.index, spec.shard)).length;
      return { selection, test, count, model, log, cells, mine, fingerprint };
    } catch (err) {
      model.classifier.dispose();
      throw err;
    }
  }).pipe(
    mergeMap(({ selection, test, count, model, log, cells, mine, fingerprint }) => {
      let clean: CleanSet;
      try {
        clean = model.classifier.cleanSet(
          test,
          spec.batchSize,
          Int32Array.from({ length: count }, (_, i) => i),
        );
      } catch (err) {
        log.close();
        model.classifier.dispose();
        throw err;
      }
      let done = log.done.size;
      const stage = `fourier attack ${formatShard(spec.shard)}`;
      return concat(
        [
          ...evaluatedModelEvents(selection, model),
          ...(log.notice ? [event.log(log.notice)] : []),
          event.log(
            `${stage}: ${model.label} (${model.path}) on ${count} images of ${test.name}; ` +
              `${mine} of ${cells.length} cells in this shard${done ? `, ${done} already in ${log.path} (resumed)` : ''}`,
          ),
          event.progress(stage, done, mine, 'cells'),
        ],
        // The baseline the attack is read against: the same images unperturbed (once per folder).
        defer(async () => {
          const path = join(spec.runDir, CLEAN_FILE);
          if (!existsSync(path))
            await writeJsonAtomic(path, { model: fingerprint.model.sha256, images: fingerprint.images.sha256, result: await evaluateClean(clean) });
          return [];
        }).pipe(mergeMap((e) => from(e))),
        fourierCells(cells, { shard: spec.shard, done: new Set(log.done.keys()) }).pipe(
          attackCells(clean, { seed: spec.seed }),
          concatMap(async (r) => {
            const { cell, ...figures } = r;
            await log.append({
              key: cell.key,
              index: cell.index,
              kx: cell.kx,
              ky: cell.ky,
              phaseFactor: cell.phaseFactor,
              phase: cell.phase,
              norm: cell.norm,
              alignment: cell.alignment,
              ...figures,
            });
            done++;
            return event.progress(stage, done, mine, 'cells', `${cell.key}: error ${percent(r.error)}, calibration ${percent(r.calibration)}`);
          }),
          finalize(() => {
            log.close();
            clean.dispose();
            model.classifier.dispose();
          }),
        ),
        defer(() => reportIfComplete(spec.runDir)),
      );
    }),
    finalize(decoding.done),
  );
  return merge(decoding.events, run);
}

/**
 * Merges the cells files in `dirs`; writes the outputs into `outDir` when the grid is complete
 * (or `force`), else says what is missing.
 */
export function reportIfComplete(outDir: string, dirs: readonly string[] = [outDir], force = false): Observable<PipelineEvent> {
  return defer(async () => {
    const merged = await mergeCellFiles(dirs);
    const missing = missingCells(fourierGrid(merged.fingerprint.grid), merged.cells);
    if (missing.length > 0 && !force) {
      return [
        event.log(
          `fourier: ${merged.cells.size} cells done, ${missing.length} missing (e.g. ${missing[0]!.key}); figures and table2.md are written once every shard has finished ` +
            `(run the remaining shards into the same folder, or merge folders with \`fourier-augmix run merge-fourier from=<dirs> out=<dir>\`)`,
        ),
      ];
    }
    const written = await writeFourierReport(outDir, merged, dirs);
    return [
      ...written.map((w) => event.artifact(w.path, w.description)),
      event.summary([
        `Fourier attack: ${merged.cells.size} cells from ${merged.files.length} file(s); see ${written.find((w) => w.path.endsWith('table2.md'))!.path}`,
      ]),
    ];
  }).pipe(mergeMap((events) => from(events)));
}
