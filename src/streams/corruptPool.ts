import { Piscina } from 'piscina';
import { corruptChunk, type CorruptChunkSpec } from '../ops/corruptions/corruptChunk.ts';
import { workerFile } from './workerFile.ts';

/** Runs corruption chunks: on a Piscina pool, or in-process (`threads` 0) for debugging and tests. */
export interface CorruptPool {
  /** Worker threads (0 = in-process). */
  readonly threads: number;
  /** Corrupts one chunk; `spec.pixels` and `spec.out` must be shared memory when threads > 0. */
  run(spec: CorruptChunkSpec, signal: AbortSignal): Promise<void>;
  /** Stops the threads; pending tasks reject. */
  destroy(): Promise<void>;
}

/**
 * A pool of `threads` worker threads, or an in-process runner when `threads` is 0. Workers write
 * straight into the shared output buffer, so a task carries only offsets and nothing is copied back.
 */
export function createCorruptPool(threads: number): CorruptPool {
  if (!Number.isInteger(threads) || threads < 0) throw new RangeError(`workers must be an integer >= 0, got ${threads}`);
  if (threads === 0) {
    return {
      threads: 0,
      run: async (spec, signal) => {
        // Yield first so callers see the same asynchronous contract as the pool.
        await new Promise((r) => setImmediate(r));
        signal.throwIfAborted();
        await corruptChunk(spec);
      },
      destroy: async () => {},
    };
  }
  const { filename, execArgv } = workerFile('corruptWorker');
  const piscina = new Piscina({ filename, execArgv, minThreads: threads, maxThreads: threads, idleTimeout: 60_000 });
  // As in pool.ts: task failures reach the caller through `run`; the event carries nothing more.
  piscina.on('error', () => {});
  return {
    threads,
    run: (spec, signal) => piscina.run(spec, { signal }) as Promise<void>,
    destroy: () => piscina.destroy(),
  };
}
