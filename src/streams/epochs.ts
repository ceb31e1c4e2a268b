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
  /** Seeded per-epoch shuffle (default true); false visits samples in dataset order. */
  readonly shuffle?: boolean;
}

/**
 * A cold source of epoch plans for `dataset`. Each subscription starts afresh; plans hold no pixels,
 * so downstream stages (which bound the work in flight) can queue them at no cost.
 */
export function epochs(dataset: Dataset, options: EpochsOptions): Observable<EpochPlan> {
  const { epochs: count, startEpoch = 0, seed, shuffle = true } = options;
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`epochs must be an integer >= 0, got ${count}`);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be an integer >= 0, got ${seed}`);
  return new Observable<EpochPlan>((subscriber) => {
    for (let e = startEpoch; e < startEpoch + count && !subscriber.closed; e++) {
      let cached: Int32Array | undefined;
      const order = (): Int32Array => (cached ??= shuffle ? permutation(dataset.count, seed, e) : identity(dataset.count));
      subscriber.next({ dataset, epoch: e, seed, order });
    }
    subscriber.complete();
  });
}

function identity(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i);
}
