import { Piscina } from 'piscina';
import { runAugmentTask, type AugmentResult, type AugmentTask } from './augmentTask.ts';
import { workerFile } from './workerFile.ts';

/** Runs augmentation tasks: on a Piscina pool, or in-process (`threads` 0) for debugging and tests. */
export interface AugmentPool {
  /** Worker threads (0 = in-process). */
  readonly threads: number;
  run(task: AugmentTask, signal: AbortSignal): Promise<AugmentResult>;
  /** Tasks queued but not yet started on a thread. */
  queued(): number;
  /** Stops the threads; pending tasks reject. */
  destroy(): Promise<void>;
}

/** A pool of `threads` worker threads, or an in-process runner when `threads` is 0. */
export function createAugmentPool(threads: number): AugmentPool {
  if (!Number.isInteger(threads) || threads < 0) throw new RangeError(`workers must be an integer >= 0, got ${threads}`);
  if (threads === 0) return inlinePool();
  const { filename, execArgv } = workerFile('augmentWorker');
  const piscina = new Piscina({ filename, execArgv, minThreads: threads, maxThreads: threads, idleTimeout: 60_000 });
  // A task aborted while its result is already on the way back makes Piscina emit 'error'
  // ("Unexpected message from Worker"), which would crash the process. Task failures themselves
  // reach the caller through the rejected `run` promise, so the event carries nothing we need.
  piscina.on('error', () => {});
  return {
    threads,
    run: (task, signal) => piscina.run(task, { transferList: [task.out], signal }) as Promise<AugmentResult>,
    queued: () => piscina.queueSize,
    destroy: () => piscina.destroy(),
  };
}

function inlinePool(): AugmentPool {
  let waiting = 0;
  return {
    threads: 0,
    run: async (task, signal) => {
      waiting++;
      // Yield first so a synchronous caller sees the same asynchronous contract as the pool.
      await new Promise((r) => setImmediate(r));
      waiting--;
      signal.throwIfAborted();
      return runAugmentTask(task);
    },
    queued: () => waiting,
    destroy: async () => {},
  };
}
