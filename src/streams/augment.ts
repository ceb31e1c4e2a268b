import { availableParallelism } from 'node:os';
import { defer, Observable, switchMap, type OperatorFunction } from 'rxjs';
import type { Dataset } from '../data/dataset.ts';
import type { SampleParams } from '../ops/sampleParams.ts';
import { viewCount, type Strategy } from '../ops/strategy.ts';
import { refCounted, type AugmentedChunk } from './chunk.ts';
import { Credits } from './credits.ts';
import type { EpochPlan } from './epochs.ts';
import { checkStrategy } from './loadStrategy.ts';
import { createAugmentPool, type AugmentPool } from './pool.ts';
import type { Profiler } from './profiler.ts';

export interface AugmentOptions {
  /** Worker threads (0 runs in-process), or a pool the caller owns and destroys. Default: cores. */
  readonly workers?: number | AugmentPool;
  /** Samples per pool task (default 64): per-task overhead is tens of µs, one sample tens of µs. */
  readonly chunkSize?: number;
  /**
   * Chunks allowed to exist at once: running, waiting to be put in order, or held downstream
   * unreleased. This bounds memory whatever the consumer's speed. Default 2 × threads + 4.
   */
  readonly credits?: number;
  /** Attach each sample's sampled parameters to its chunk. */
  readonly record?: boolean;
  /** Parameters to replay for (epoch, dataset index) instead of sampling, e.g. from a recording. */
  readonly replay?: (epoch: number, index: number) => SampleParams;
  readonly profiler?: Profiler;
}

interface Pending {
  readonly plan: EpochPlan;
  /** Built when the plan reaches the head of the queue, so queued epochs cost nothing. */
  order: Int32Array | null;
  pos: number;
}

/**
 * Augments every sample of every epoch plan with `strategy` on a worker pool, emitting chunks in
 * epoch order. Chunking lives here rather than in an upstream `bufferCount` because only this stage
 * knows when it may take more work: upstream index chunks would otherwise pile up eagerly.
 * Unsubscribing aborts queued tasks and destroys a pool the operator created. On subscription the
 * strategy is checked (`checkStrategy`: user modules imported, op names known) before any worker
 * starts, so a misspelt primitive fails here, naming it, rather than inside a worker.
 */
export function augment(strategy: Strategy, options: AugmentOptions = {}): OperatorFunction<EpochPlan, AugmentedChunk> {
  const run = augmentChecked(options);
  return (source) => defer(() => checkStrategy(strategy)).pipe(switchMap((checked) => run(checked, source)));
}

function augmentChecked(options: AugmentOptions): (resolved: Strategy, source: Observable<EpochPlan>) => Observable<AugmentedChunk> {
  const chunkSize = options.chunkSize ?? 64;
  if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new RangeError(`chunkSize must be an integer >= 1, got ${chunkSize}`);
  const workers = options.workers ?? availableParallelism();
  const threads = typeof workers === 'number' ? workers : workers.threads;
  const limit = options.credits ?? 2 * threads + 4;
  const { profiler, record = false, replay } = options;

  return (resolved, source) =>
    new Observable<AugmentedChunk>((subscriber) => {
      const views = viewCount(resolved);
      const pool = typeof workers === 'number' ? createAugmentPool(workers) : workers;
      const abort = new AbortController();
      const plans: Pending[] = [];
      const ready = new Map<number, AugmentedChunk>();
      // Output buffers, transferred to the worker and back, and reused once their chunk is released.
      const spare: ArrayBuffer[] = [];
      const shared = new WeakMap<Dataset, Uint8Array>();
      const credits = new Credits(limit, () => pump());
      let seq = 0;
      let emitted = 0;
      let running = 0;
      let upstreamDone = false;
      // True while a chunk is being handed downstream: a release made inside that call must not
      // complete the stream before the chunk's own emission has returned.
      let emitting = false;

      // Since when work waits for a credit the consumer still holds (null: not waiting).
      let blockedSince: number | null = null;
      const pump = (): void => {
        while (!subscriber.closed && hasWork() && credits.tryTake()) dispatch();
        profiler?.gauge('augment.queued', pool.queued());
        profiler?.gauge('augment.credits', credits.inUse);
        if (profiler) {
          // Waiting on the consumer: work to do and a worker free, but every credit is out.
          const blocked = !subscriber.closed && hasWork() && credits.inUse >= limit && running < Math.max(threads, 1);
          if (blocked && blockedSince === null) blockedSince = performance.now();
          else if (!blocked && blockedSince !== null) {
            profiler.wait('augment.credits', performance.now() - blockedSince);
            blockedSince = null;
          }
        }
        if (!emitting && !subscriber.closed && upstreamDone && !hasWork() && running === 0 && ready.size === 0) subscriber.complete();
      };

      const hasWork = (): boolean => {
        for (;;) {
          const head = plans[0];
          if (!head) return false;
          head.order ??= head.plan.order();
          if (head.pos < head.order.length) return true;
          plans.shift();
        }
      };

      const dispatch = (): void => {
        const p = plans[0]!;
        const order = p.order!;
        const { dataset, epoch, seed } = p.plan;
        const start = p.pos;
        const indices = order.slice(start, Math.min(start + chunkSize, order.length));
        p.pos += indices.length;
        const size = dataset.shape.width * dataset.shape.height * dataset.shape.channels;
        const bytes = views * chunkSize * size * 4;
        const reused = spare.pop(); // one too small (left by a smaller image shape) is dropped
        const out = reused && reused.byteLength >= bytes ? reused : new ArrayBuffer(bytes);
        const mine = seq++;
        running++;
        const task = {
          pixels: sharedPixels(dataset),
          shape: dataset.shape,
          indices,
          seed,
          epoch,
          strategy: resolved,
          views,
          out,
          record,
          replay: replay ? Array.from(indices, (i) => replay(epoch, i)) : undefined,
        };
        pool.run(task, abort.signal).then(
          (result) => {
            running--;
            if (subscriber.closed) return;
            // Moved between threads: the output buffer (transferred, not copied) and the sampled parameters.
            profiler?.record('augment', indices.length, result.busyMs, Math.max(threads, 1), views * indices.length * size * 4);
            const labels = Int32Array.from(indices, (i) => dataset.labels[i]!);
            const refs = refCounted(() => {
              spare.push(result.out);
              credits.give();
            });
            ready.set(mine, {
              epoch,
              seq: mine,
              start,
              epochSize: order.length,
              indices,
              labels,
              views,
              shape: dataset.shape,
              data: new Float32Array(result.out, 0, views * indices.length * size),
              params: result.params,
              chunkSize,
              credits: limit,
              ...refs,
            });
            flush();
          },
          (err: unknown) => {
            running--;
            if (subscriber.closed || abort.signal.aborted) return;
            const at = `epoch ${epoch}, chunk ${mine} (samples ${start}..${start + indices.length - 1} of ${dataset.name})`;
            subscriber.error(new Error(`augment(${resolved.name}): worker failed on ${at}: ${(err as Error)?.message ?? err}`, { cause: err }));
          },
        );
      };

      const flush = (): void => {
        profiler?.gauge('augment.reorder', ready.size);
        while (!subscriber.closed && ready.has(emitted)) {
          const chunk = ready.get(emitted)!;
          ready.delete(emitted++);
          emitting = true;
          try {
            subscriber.next(chunk);
          } finally {
            emitting = false;
          }
        }
        pump();
      };

      // Workers map the pixels instead of copying them per task: they must live in shared memory.
      const sharedPixels = (ds: Dataset): Uint8Array => {
        if (ds.pixels.buffer instanceof SharedArrayBuffer || threads === 0) return ds.pixels;
        let copy = shared.get(ds);
        if (!copy) {
          copy = new Uint8Array(new SharedArrayBuffer(ds.pixels.byteLength));
          copy.set(ds.pixels);
          shared.set(ds, copy);
        }
        return copy;
      };

      const upstream = source.subscribe({
        next: (plan) => {
          plans.push({ plan, order: null, pos: 0 });
          pump();
        },
        error: (err) => subscriber.error(err),
        complete: () => {
          upstreamDone = true;
          pump();
        },
      });

      return () => {
        upstream.unsubscribe();
        abort.abort();
        if (typeof workers === 'number') void pool.destroy();
      };
    });
}
