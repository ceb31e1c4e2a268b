import { Observable } from 'rxjs';
import type { FourierCell } from '../ops/fourierGrid.ts';
import { inShard, WHOLE, type Shard } from '../ops/shard.ts';

export interface FourierCellsOptions {
  /** Only this shard's cells (round-robin over the canonical order; default all). */
  readonly shard?: Shard;
  /** Keys of cells already finished (a resumed evaluation): not emitted again. */
  readonly done?: ReadonlySet<string>;
}

/**
 * A cold source of the cells of a Fourier-attack grid still to evaluate: `cells` (in canonical
 * order, see `fourierGrid`) restricted to one shard, minus those already done. Cells hold no
 * pixels, so downstream stages can queue them at no cost; stops emitting once unsubscribed.
 */
export function fourierCells(cells: readonly FourierCell[], options: FourierCellsOptions = {}): Observable<FourierCell> {
  const { shard = WHOLE, done } = options;
  return new Observable<FourierCell>((subscriber) => {
    for (const cell of cells) {
      if (subscriber.closed) return;
      if (inShard(cell.index, shard) && !done?.has(cell.key)) subscriber.next(cell);
    }
    subscriber.complete();
  });
}
