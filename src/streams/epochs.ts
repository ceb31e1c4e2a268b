import { Observable } from 'rxjs';
import type { Dataset } from '../data/dataset.ts';
import { permutation } from '../ops/permutation.ts';

/** One pass over a dataset: which samples, in which order. Orders are built only when read. */
export interface EpochPlan {
  readonly dataset: Dataset;
  readonly epoch: number;
  readonly seed: number;
  /** Dataset indices in visiting order. */
  order(): Int32Array;
}

export interface EpochsOptions {
  /** Number of epochs to emit. */
  readonly epochs: number;
  /** First epoch number (e.g. when resuming). Default 0. */
  readonly startEpoch?: number;
  readonly seed: number;
  /** Seeded per-epoch shuffle (default true); false visits samples in the given order. */
  readonly shuffle?: boolean;
  /**
   * Visit only these dataset indices (default: all). Samples keep their dataset index, so their
   * augmentations are the ones a run over the whole dataset would draw for them.
   */
  readonly indices?: ArrayLike<number>;
}

/**
 * A cold source of epoch plans for `dataset`. Each subscription starts afresh; plans hold no pixels,
 * so downstream stages (which bound the work in flight) can queue them at no cost.
 */
export function epochs(dataset: Dataset, options: EpochsOptions): Observable<EpochPlan> {
  const { epochs: count, startEpoch = 0, seed, shuffle = true } = options;
  const indices = options.indices ? Int32Array.from(options.indices) : null;
  indices?.forEach((i) => {
    if (!Number.isInteger(i) || i < 0 || i >= dataset.count) throw new RangeError(`epochs: index ${i} is outside ${dataset.name} [0, ${dataset.count})`);
  });
  const size = indices?.length ?? dataset.count;
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`epochs must be an integer >= 0, got ${count}`);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be an integer >= 0, got ${seed}`);
  return new Observable<EpochPlan>((subscriber) => {
    for (let e = startEpoch; e < startEpoch + count && !subscriber.closed; e++) {
      let cached: Int32Array | undefined;
      const order = (): Int32Array => (cached ??= select(shuffle ? permutation(size, seed, e) : identity(size), indices));
      subscriber.next({ dataset, epoch: e, seed, order });
    }
    subscriber.complete();
  });
}

/** Positions mapped to the dataset indices they stand for (identity when no subset is given). */
function select(positions: Int32Array, indices: Int32Array | null): Int32Array {
  return indices ? positions.map((p) => indices[p]!) : positions;
}

function identity(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i);
}
