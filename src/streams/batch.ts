import { Observable, type OperatorFunction } from 'rxjs';
import type { ImageShape } from '../ops/image.ts';
import type { SampleParams } from '../ops/sampleParams.ts';
import type { AugmentedChunk } from './chunk.ts';
import type { Profiler } from './profiler.ts';

/** A training batch: packed, normalised float32 pixels and labels. `release()` when done with it. */
export interface Batch {
  readonly epoch: number;
  /** Batch number within the stream, from 0. */
  readonly step: number;
  /** Batch number within its epoch, from 0. */
  readonly index: number;
  readonly size: number;
  readonly views: number;
  readonly shape: ImageShape;
  /** [views, size, H, W, C]: for JSD, view 0 is clean, 1 and 2 the AugMix views. */
  readonly data: Float32Array;
  readonly labels: Int32Array;
  /** Dataset index of each sample. */
  readonly indices: Int32Array;
  readonly params: readonly SampleParams[] | null;
  /** Hands the batch's memory (and the chunk credits behind it) back to the stream, which reuses it: read nothing from the batch afterwards. Idempotent. */
  release(): void;
}

export interface BatchOptions {
  /** Drop each epoch's last, smaller batch (default false). */
  readonly dropLast?: boolean;
  readonly profiler?: Profiler;
}

interface Filling {
  epoch: number;
  fill: number;
  data: Float32Array;
  labels: Int32Array;
  indices: Int32Array;
  params: SampleParams[] | null;
  chunks: AugmentedChunk[];
}

/**
 * Packs chunks into batches of `size` samples that never cross an epoch. A chunk that is exactly
 * one batch passes through without a copy; otherwise samples are copied into the batch in place.
 */
export function batch(size: number, options: BatchOptions = {}): OperatorFunction<AugmentedChunk, Batch> {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`batch size must be an integer >= 1, got ${size}`);
  const { dropLast = false, profiler } = options;
  return (source) =>
    new Observable<Batch>((subscriber) => {
      let cur: Filling | null = null;
      // Released batch buffers, reused (FFCV's lesson): a steady stream allocates nothing per
      // batch, so resident memory stays flat instead of following the garbage collector.
      const spare: Float32Array[] = [];
      let step = 0;
      let checked = false;

      let epoch = -1;
      let index = 0;

      const emit = (f: Filling, chunkRelease: () => void, pixelsPerView: number, views: number, shape: ImageShape): void => {
        if (f.epoch !== epoch) {
          epoch = f.epoch;
          index = 0;
        }
        if (f.fill < size && dropLast) return chunkRelease();
        let data = f.data;
        if (f.fill < size && f.data.length === views * size * pixelsPerView) {
          // A short last batch: close the gaps between views so the layout stays [views, fill, ...].
          for (let v = 1; v < views; v++) data.copyWithin(v * f.fill * pixelsPerView, v * size * pixelsPerView, (v * size + f.fill) * pixelsPerView);
          data = data.subarray(0, views * f.fill * pixelsPerView);
        }
        let released = false;
        subscriber.next({
          epoch: f.epoch,
          step: step++,
          index: index++,
          size: f.fill,
          views,
          shape,
          data,
          labels: f.labels.subarray(0, f.fill),
          indices: f.indices.subarray(0, f.fill),
          params: f.params,
          release: () => {
            if (!released) chunkRelease();
            released = true;
          },
        });
      };

      const upstream = source.subscribe({
        next: (chunk) => {
          if (!checked) {
            checked = true;
            const need = size % chunk.chunkSize === 0 ? size / chunk.chunkSize : Math.ceil(size / chunk.chunkSize) + 1;
            if (chunk.credits < need) {
              chunk.release();
              subscriber.error(
                new RangeError(
                  `batch(${size}) needs ${need} chunks of ${chunk.chunkSize} at once but augment allows ${chunk.credits}; raise credits or chunkSize`,
                ),
              );
              return;
            }
          }
          const t0 = performance.now();
          const n = chunk.indices.length;
          const per = chunk.shape.width * chunk.shape.height * chunk.shape.channels;
          const endsEpoch = chunk.start + n === chunk.epochSize;
          if (!cur && chunk.start % size === 0 && (n === size || (endsEpoch && !dropLast && n < size))) {
            emit(
              {
                epoch: chunk.epoch,
                fill: n,
                data: chunk.data,
                labels: chunk.labels,
                indices: chunk.indices,
                params: chunk.params ? [...chunk.params] : null,
                chunks: [chunk],
              },
              () => chunk.release(),
              per,
              chunk.views,
              chunk.shape,
            );
            profiler?.record('batch', n, performance.now() - t0);
            return;
          }
          for (let j = 0; j < n;) {
            cur ??= {
              epoch: chunk.epoch,
              fill: 0,
              data: spare.pop() ?? new Float32Array(chunk.views * size * per),
              labels: new Int32Array(size),
              indices: new Int32Array(size),
              params: chunk.params ? [] : null,
              chunks: [],
            };
            const k = Math.min(size - cur.fill, n - j);
            for (let v = 0; v < chunk.views; v++) {
              cur.data.set(chunk.data.subarray((v * n + j) * per, (v * n + j + k) * per), (v * size + cur.fill) * per);
            }
            cur.labels.set(chunk.labels.subarray(j, j + k), cur.fill);
            cur.indices.set(chunk.indices.subarray(j, j + k), cur.fill);
            if (cur.params && chunk.params) cur.params.push(...chunk.params.slice(j, j + k));
            chunk.retain();
            cur.chunks.push(chunk);
            cur.fill += k;
            j += k;
            if (cur.fill === size || (j === n && endsEpoch)) {
              const f = cur;
              cur = null;
              emit(
                f,
                () => {
                  f.chunks.forEach((c) => c.release());
                  if (f.data.length === chunk.views * size * per && spare.length < chunk.credits) spare.push(f.data);
                },
                per,
                chunk.views,
                chunk.shape,
              );
            }
          }
          chunk.release();
          profiler?.record('batch', n, performance.now() - t0);
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
      return () => {
        upstream.unsubscribe();
        cur?.chunks.forEach((c) => c.release());
        cur = null;
      };
    });
}
