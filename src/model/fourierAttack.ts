import { Observable, concatMap, type OperatorFunction } from 'rxjs';
import { fourierBasis } from '../ops/fourierBasis.ts';
import { flipSignsInto, type FourierCell } from '../ops/fourierGrid.ts';
import type { CleanSet } from './classifier.ts';
import { allLabels } from './evaluateClean.ts';
import { scorePredictions, type EvalResult } from './evaluate.ts';

export interface AttackOptions {
  /** Seed of the random-flip signs (see `flipSignsInto`). */
  readonly seed: number;
}

/** A finished cell: the cell and the model's error, calibration and loss on the perturbed images. */
export interface CellResult extends EvalResult {
  readonly cell: FourierCell;
  /** Wall time of the cell, seconds. */
  readonly seconds: number;
}

/**
 * Evaluates one cell: U(k) built once (`fourierBasis`, on the CPU: H·W cosines) and added to
 * every image (random-flip: with one ±1 per image and channel, drawn by `flipSignsInto`), clipped,
 * normalised and predicted by the clean set's classifier, batch by batch. Null when `isClosed`
 * turns true.
 */
export async function evaluateCell(
  clean: CleanSet,
  cell: FourierCell,
  options: AttackOptions,
  isClosed: () => boolean = () => false,
): Promise<CellResult | null> {
  const t0 = performance.now();
  const { height, width, channels } = clean;
  const basis = fourierBasis({ height, width, kx: cell.kx, ky: cell.ky, phase: cell.phase, norm: cell.norm });
  const signs = (b: number): Float32Array | null => {
    if (cell.alignment === 'aligned') return null;
    const batch = clean.batches[b]!;
    const s = new Float32Array(batch.indices.length * channels);
    flipSignsInto(options.seed, cell, height, width, batch.indices, channels, s);
    return s;
  };
  const probs = await clean.probabilities({ basis, signs }, { isClosed });
  if (probs === null) return null;
  return { cell, ...scorePredictions(probs, allLabels(clean), clean.classes), seconds: (performance.now() - t0) / 1000 };
}

/**
 * The attack as an operator: each cell of the source is evaluated on every clean image, one cell
 * at a time, and its result emitted as soon as it is done. Unsubscribing stops after the batch
 * in progress. The caller owns `clean` and its classifier.
 */
export function attackCells(clean: CleanSet, options: AttackOptions): OperatorFunction<FourierCell, CellResult> {
  return concatMap(
    (cell) =>
      new Observable<CellResult>((subscriber) => {
        evaluateCell(clean, cell, options, () => subscriber.closed).then(
          (r) => {
            if (r) {
              subscriber.next(r);
              subscriber.complete();
            }
          },
          (err) => subscriber.error(err),
        );
      }),
  );
}
