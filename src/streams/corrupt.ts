import { availableParallelism } from 'node:os';
import { Observable } from 'rxjs';
import { sharedBytes } from '../data/allocateShared.ts';
import { imageBytes, type Dataset } from '../data/dataset.ts';
import type { CorruptChunkSpec } from '../ops/corruptions/corruptChunk.ts';
import type { Severity } from '../ops/corruptions/corruption.ts';
import type { CorruptionPreset } from '../ops/corruptions/presets.ts';
import { CORRUPTIONS } from '../ops/corruptions/registry.ts';
import { createCorruptPool, type CorruptPool } from './corruptPool.ts';

const SEVERITIES: readonly Severity[] = [1, 2, 3, 4, 5];

/** Options for `corruptDataset`. */
export interface CorruptOptions {
  /** Implemented corruption names (see `CORRUPTIONS`), generated in this order. */
  readonly corruptions: readonly string[];
  /** Integer in [0, 2^53); with the corruption, severity and image index it fixes every draw. */
  readonly seed: number;
  /** Whose constants (see presets.ts); the images must be of its size. */
  readonly preset: CorruptionPreset;
  /** Worker threads (0 runs in-process), or a pool the caller owns and destroys. Default: cores. */
  readonly workers?: number | CorruptPool;
  /** Images per pool task (default 64), each through all five severities. */
  readonly chunkSize?: number;
  /**
   * Receives each finished corruption, 5N images severity-major (NHWC uint8), and is awaited
   * before the next corruption starts: at most one output buffer exists at a time.
   */
  readonly write: (corruption: string, pixels: Uint8Array, signal: AbortSignal) => Promise<void>;
}

/** What `corruptDataset` reports: images done over the whole run, and each corruption written. */
export type CorruptEvent =
  | { readonly type: 'progress'; readonly corruption: string; readonly done: number; readonly total: number }
  | { readonly type: 'written'; readonly corruption: string };

/**
 * Generates the CIFAR-C layout for `ds` with the constants of `options.preset`: for each corruption, all images at severities 1..5, in
 * chunks on a worker pool writing into one shared buffer, then hands the buffer to `write`. Cold:
 * nothing runs until subscription. Output bytes depend only on (pixels, corruption, severity,
 * seed), never on threads or chunk size. Unsubscribing aborts queued tasks and destroys a pool
 * the function created.
 */
export function corruptDataset(ds: Dataset, options: CorruptOptions): Observable<CorruptEvent> {
  const chunkSize = options.chunkSize ?? 64;
  if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new RangeError(`chunkSize must be an integer >= 1, got ${chunkSize}`);
  for (const name of options.corruptions)
    if (!CORRUPTIONS.has(name)) throw new RangeError(`corruption '${name}' is not implemented; available: ${[...CORRUPTIONS.keys()].join(', ')}`);
  const workers = options.workers ?? availableParallelism();
  return new Observable<CorruptEvent>((subscriber) => {
    const abort = new AbortController();
    const pool = typeof workers === 'number' ? createCorruptPool(workers) : workers;
    const inFlight = Math.max(2, 2 * pool.threads);
    const n = ds.count;
    const size = imageBytes(ds.shape);
    const total = options.corruptions.length * 5 * n;
    let done = 0;
    let stopped = false;
    // Workers map the pixels instead of copying them per task: they must live in shared memory.
    const pixels = pool.threads > 0 && !(ds.pixels.buffer instanceof SharedArrayBuffer) ? sharedCopy(ds.pixels) : ds.pixels;

    const one = async (corruption: string): Promise<void> => {
      const out = pool.threads > 0 ? sharedBytes(5 * n * size) : new Uint8Array(5 * n * size);
      const specs: CorruptChunkSpec[] = [];
      // A task takes its images through all five severities, one image at a time, so a kernel can
      // reuse work between severities (zoom_blur's zooms).
      for (let start = 0; start < n; start += chunkSize) {
        specs.push({
          pixels,
          shape: ds.shape,
          corruption,
          severities: SEVERITIES,
          preset: options.preset,
          seed: options.seed,
          start,
          count: Math.min(chunkSize, n - start),
          out,
          outIndex: start,
          severityStride: n,
        });
      }
      let next = 0;
      const lane = async (): Promise<void> => {
        while (next < specs.length && !abort.signal.aborted) {
          const spec = specs[next++]!;
          await pool.run(spec, abort.signal);
          done += spec.count * SEVERITIES.length;
          if (!subscriber.closed) subscriber.next({ type: 'progress', corruption, done, total });
        }
      };
      await Promise.all(Array.from({ length: Math.min(inFlight, specs.length) }, lane));
      if (abort.signal.aborted) return;
      await options.write(corruption, out, abort.signal);
      if (abort.signal.aborted) return;
      if (!subscriber.closed) subscriber.next({ type: 'written', corruption });
    };

    (async () => {
      // sharp is loaded in this thread before any worker loads it (its maintainers' advice on glibc).
      if (options.corruptions.some((c) => CORRUPTIONS.get(c)!.async)) await import('sharp');
      for (const c of options.corruptions) {
        if (abort.signal.aborted) return;
        await one(c);
      }
    })().then(
      () => {
        if (!stopped) subscriber.complete();
      },
      (err: unknown) => {
        // The first failure stops the other lanes' queued tasks; after an unsubscribe, nobody listens.
        abort.abort();
        if (!stopped) subscriber.error(err);
      },
    );

    return () => {
      stopped = true;
      abort.abort();
      if (typeof workers === 'number') void pool.destroy();
    };
  });
}

function sharedCopy(pixels: Uint8Array): Uint8Array {
  const copy = sharedBytes(pixels.length);
  copy.set(pixels);
  return copy;
}
