import { join } from 'node:path';
import { defer, finalize, from, merge, mergeMap, type Observable } from 'rxjs';
import { writeFileAtomic, writeJsonAtomic } from '../data/atomic.ts';
import type { CifarSplit } from '../data/cifar.ts';
import { evaluatedModelEvents } from './backendEvents.ts';
import type { EvalResult } from '../model/evaluate.ts';
import { evaluateClean } from '../model/evaluateClean.ts';
import { openEvaluatedModel, type EvaluatedModelSpec } from './openEvaluatedModel.ts';
import { event, type PipelineEvent } from '../pipeline/events.ts';
import { decodeProgress, loadDataset, type LoadOptions } from './loadDataset.ts';
import { percent } from '../report/percent.ts';

export interface CleanEvalSpec extends EvaluatedModelSpec {
  readonly data: string;
  /** How an image folder is read (size, skipBad). */
  readonly load?: LoadOptions;
  readonly split: CifarSplit;
  /** Only the first N images (default all). */
  readonly images?: number;
  readonly batchSize: number;
  readonly runDir: string;
}

const pct = (x: number): string => percent(x, 2);

/**
 * Test error and calibration of any model (checkpoint or ONNX) on a CIFAR split, unperturbed:
 * `test-error.json` (model identity, data, figures) and `test-error.md`.
 */
export function cleanEvaluation(spec: CleanEvalSpec): Observable<PipelineEvent> {
  const decoding = decodeProgress();
  const run = defer(async () => {
    const ds = await loadDataset(spec.data, spec.split, spec.cwd, { ...spec.load, onProgress: decoding.onProgress }).finally(decoding.done);
    const count = spec.images === undefined ? ds.count : Math.min(spec.images, ds.count);
    const { selection, model } = await openEvaluatedModel(spec, { ...ds.shape, classes: ds.classes.length });
    let result: EvalResult;
    try {
      const clean = model.classifier.cleanSet(
        ds,
        spec.batchSize,
        Int32Array.from({ length: count }, (_, i) => i),
      );
      try {
        result = await evaluateClean(clean);
      } finally {
        clean.dispose();
      }
    } finally {
      model.classifier.dispose();
    }
    const json = join(spec.runDir, 'test-error.json');
    await writeJsonAtomic(json, {
      model: { path: model.path, ...model.identity },
      normalize: model.normalize,
      data: ds.name,
      classes: ds.classes,
      split: spec.split,
      images: count,
      result,
    });
    const md = join(spec.runDir, 'test-error.md');
    await writeFileAtomic(
      md,
      [
        `# ${model.label}: ${spec.split} error`,
        '',
        `${count} images of ${ds.name} (${spec.split}), unperturbed; ${model.format === 'onnx' ? 'ONNX file' : 'checkpoint'} ${model.path} (sha256 ${model.identity.sha256.slice(0, 12)}).`,
        '',
        "| error | RMS calibration error | calibration (Hendrycks' calib_err) | mean cross-entropy |",
        '|---|---|---|---|',
        `| ${pct(result.error)} | ${pct(result.calibration)} | ${Number.isNaN(result.calibrationReference) ? 'n/a' : pct(result.calibrationReference)} | ${result.loss.toFixed(4)} |`,
        '',
      ].join('\n'),
    );
    return [
      ...evaluatedModelEvents(selection, model),
      event.artifact(json, 'test error and calibration (JSON)'),
      event.artifact(md, 'test error and calibration'),
      event.summary([`${model.label} on ${count} ${spec.split} images of ${ds.name}: error ${pct(result.error)}, calibration ${pct(result.calibration)}`]),
    ];
  }).pipe(
    mergeMap((events) => from(events)),
    finalize(decoding.done),
  );
  return merge(decoding.events, run);
}
