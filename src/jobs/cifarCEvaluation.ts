import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { concat, concatMap, defer, finalize, from, mergeMap, type Observable } from 'rxjs';
import { writeFileAtomic, writeJsonAtomic } from '../data/atomic.ts';
import { openCifarC, readCorruption } from '../data/cifarC.ts';
import { checkCorruptRecord } from './corrupt.ts';
import { subset } from '../data/dataset.ts';
import { stableJson } from '../data/stableJson.ts';
import { MetricsLog } from '../data/metricsLog.ts';
import { evaluatedModelEvents } from './backendEvents.ts';
import { modelLabel } from '../data/modelIdentity.ts';
import { evaluateClean } from '../model/evaluateClean.ts';
import { cifarCMarkdown, renderGainFigure, renderSeverityFigure, summariseCifarC, type CifarCCell, type CifarCReport } from '../report/cifarCSummary.ts';

export type { CifarCReport };
import { openEvaluatedModel, type EvaluatedModelSpec } from './openEvaluatedModel.ts';
import { event, type PipelineEvent } from '../pipeline/events.ts';
import { UsageError } from '../pipeline/usageError.ts';
import { percent } from '../report/percent.ts';

export interface CifarCEvalSpec extends EvaluatedModelSpec {
  /** How to feed an ONNX model (unset: from its metadata, else the defaults). */
  /** A CIFAR-10-C / CIFAR-100-C folder (labels.npy + <corruption>.npy). */
  readonly cifarC: string;
  /** Corruptions to evaluate (default: every file present). */
  readonly corruptions?: readonly string[];
  readonly severities: readonly number[];
  /** Only the first N images of each severity (default all). */
  readonly images?: number;
  readonly batchSize: number;
  /** A finished CIFAR-C evaluation folder (its cifar-c.json) to draw Figure 2 against. */
  readonly baseline?: string;
  readonly runDir: string;
}

/**
 * Reads a finished CIFAR-C evaluation (`<dir>/cifar-c.json`).
 *
 * @throws Error naming the file when it is missing or not a CIFAR-C report
 */
export async function readCifarCReport(dir: string): Promise<CifarCReport> {
  const path = dir.endsWith('.json') ? dir : join(dir, 'cifar-c.json');
  if (!existsSync(path)) throw new Error(`${path}: no CIFAR-C results here (run eval-cifar10c into this folder first)`);
  const r = JSON.parse(await readFile(path, 'utf8')) as Partial<CifarCReport>;
  if (!Array.isArray(r.cells) || !r.summary || !r.model) throw new Error(`${path}: not a CIFAR-C report (expected model, cells and summary)`);
  return r as CifarCReport;
}

/**
 * CIFAR-C evaluation: every corruption file present x every severity, error and
 * calibration per cell, appended to `cells.jsonl` as each finishes (a rerun skips finished
 * cells), then `cifar-c.json`, `cifar-c.md` and the figures: accuracy against severity (Figure
 * 3) and, given a baseline evaluation, the gain per corruption at severity 5 (Figure 2).
 */
export function cifarCEvaluation(spec: CifarCEvalSpec): Observable<PipelineEvent> {
  return defer(async () => {
    // The folder's images (32x32 for CIFAR-C, 64 or 224 for the others) are what the model must take.
    const dir = resolve(spec.cwd, spec.cifarC);
    checkCorruptRecord(dir);
    const handle = await openCifarC(dir).catch((err: Error) => {
      throw new UsageError(`cifarC=${spec.cifarC}: ${err.message}`);
    });
    const { selection, model } = await openEvaluatedModel(spec, handle.shape);
    try {
      const { classes } = model.classifier;
      const maxLabel = handle.labels.reduce((m, l) => (l > m ? l : m), 0);
      if (maxLabel >= classes) throw new UsageError(`cifarC=${spec.cifarC}: holds label ${maxLabel}, but the model has ${classes} classes`);
      const names = spec.corruptions ?? handle.corruptions;
      const unknown = names.filter((n) => !handle.files.has(n));
      if (unknown.length)
        throw new UsageError(`corruptions=${names.join(',')}: ${unknown.join(', ')} not in ${dir} (present: ${handle.corruptions.join(', ')})`);
      const perSeverity = spec.images === undefined ? handle.perSeverity : Math.min(spec.images, handle.perSeverity);
      // An ONNX model's input contract is part of its identity (checkpoints keep the fields older logs have).
      const input = model.format === 'onnx' ? { input: { ...model.identity.input, ...model.normalize } } : {};
      const header = {
        type: 'header',
        format: 'fourier-augmix/cifar-c-cells',
        version: 1,
        fingerprint: JSON.parse(stableJson({ model: model.identity.sha256, data: dir, perSeverity, ...input })) as unknown,
      };
      const logPath = join(spec.runDir, 'cells.jsonl');
      // The fingerprint is checked before anything is appended, whatever state an interruption left.
      const previous = (await MetricsLog.load(logPath)).records;
      const first = previous[0];
      if (first && (first.type !== 'header' || first.format !== header.format))
        throw new Error(`${logPath}: not a CIFAR-C cells file (its first line is not our header)`);
      if (first && stableJson(first.fingerprint) !== stableJson(header.fingerprint)) {
        throw new Error(`${logPath}: results of another CIFAR-C evaluation (model, folder or images differ); use another output folder`);
      }
      const log = await MetricsLog.open(logPath, () => true);
      if (previous.length === 0) await log.append(header);
      const done = new Map<string, CifarCCell>();
      for (const { type, time: _t, ...r } of await MetricsLog.read(logPath))
        if (type === 'cell') done.set(`${r.corruption}/${r.severity}`, r as unknown as CifarCCell);
      return { selection, model, handle, names, perSeverity, log, done, dir, torn: log.torn };
    } catch (err) {
      model.classifier.dispose();
      throw err;
    }
  }).pipe(
    mergeMap(({ selection, model, handle, names, perSeverity, log, done, dir, torn }) => {
      const todo = names.flatMap((corruption) => spec.severities.map((severity) => ({ corruption, severity })));
      const cells = new Map(done);
      const stage = 'CIFAR-C';
      let n = [...done.keys()].filter((k) => todo.some((t) => `${t.corruption}/${t.severity}` === k)).length;
      return concat(
        [
          ...evaluatedModelEvents(selection, model),
          event.log(
            `${stage}: ${model.label} (${model.path}) on ${dir}: ${names.length} corruptions x ${spec.severities.length} severities x ${perSeverity} images${n ? `; ${n} cells already done (resumed)` : ''}`,
          ),
          ...(torn ? [event.log(`${stage}: dropped a torn last line of ${log.path} (an interrupted write); that cell runs again`)] : []),
          event.progress(stage, n, todo.length, 'cells'),
        ],
        from(todo.filter((t) => !done.has(`${t.corruption}/${t.severity}`))).pipe(
          concatMap(async ({ corruption, severity }) => {
            const ds = await readCorruption(handle, corruption, severity);
            const clean = model.classifier.cleanSet(subset(ds, 0, perSeverity), spec.batchSize);
            let r;
            try {
              r = await evaluateClean(clean);
            } finally {
              clean.dispose();
            }
            const cell: CifarCCell = {
              corruption,
              severity,
              count: r.count,
              error: r.error,
              calibration: r.calibration,
              calibrationReference: r.calibrationReference,
              loss: r.loss,
            };
            await log.append({ type: 'cell', ...cell });
            cells.set(`${corruption}/${severity}`, cell);
            return event.progress(
              stage,
              ++n,
              todo.length,
              'cells',
              `${corruption} s${severity}: error ${percent(r.error)}, calibration ${percent(r.calibration)}`,
            );
          }),
          finalize(() => model.classifier.dispose()),
        ),
        defer(async () => {
          const ordered = todo.map((t) => cells.get(`${t.corruption}/${t.severity}`)!);
          const summary = summariseCifarC(ordered);
          const { classes: _c, ...identity } = model.identity;
          const report: CifarCReport = { model: { path: model.path, ...identity }, data: dir, cells: ordered, summary };
          const name = model.label;
          const out: PipelineEvent[] = [];
          const write = async (file: string, content: string | Uint8Array, description: string): Promise<void> => {
            const p = join(spec.runDir, file);
            await (typeof content === 'string' && file.endsWith('.json') ? writeJsonAtomic(p, report) : writeFileAtomic(p, content));
            out.push(event.artifact(p, description));
          };
          await write('cifar-c.json', '', 'CIFAR-C: error and calibration per corruption and severity');
          const notes = [`${perSeverity} images per severity of ${dir}; errors and RMS calibration errors in percent.`];
          await write('cifar-c.md', cifarCMarkdown(`CIFAR-C: ${name}`, summary, notes), 'CIFAR-C table');
          const me = { name, summary };
          await write('figure3-severity.png', await renderSeverityFigure([me]), 'Figure 3: accuracy against severity');
          if (spec.baseline) {
            const base = await readCifarCReport(resolve(spec.cwd, spec.baseline));
            const baseName = modelLabel(base.model);
            await write(
              'figure2-gain.png',
              await renderGainFigure([me], { name: baseName, summary: base.summary }),
              `Figure 2: accuracy gain over ${baseName} at severity 5`,
            );
          }
          out.push(
            event.summary([
              `CIFAR-C ${name}: mean error ${percent(summary.overall.error)}, calibration ${percent(summary.overall.calibration)} over ${summary.overall.cells} cells`,
            ]),
          );
          return out;
        }).pipe(mergeMap((es) => from(es))),
      );
    }),
  );
}
