import { Piscina } from 'piscina';
import { runAugmentTask, type AugmentResult, type AugmentTask } from './augmentTask.ts';
import { workerFile } from './workerFile.ts';

/** Runs augmentation tasks: on a Piscina pool, or in-process (`threads` 0) for debugging and tests. */
export interface AugmentPool {
  /** Worker threads (0 = in-process). */
  readonly threads: number;
  /** Runs `task`; once `signal` aborts, a task not yet handed to a thread rejects instead of running. */
  run(task: AugmentTask, signal: AbortSignal): Promise<AugmentResult>;
  /** Tasks queued but not yet started on a thread. */
  queued(): number;
  /** Stops the threads; pending tasks reject. */
  destroy(): Promise<void>;
}

/**
 * Tasks a thread holds at once: the one it runs and the next, already in its message port, so it
 * starts that one the moment it finishes instead of idling while the main thread (on a busy core)
 * wakes up to send it.
 */
const TASKS_PER_THREAD = 2;

interface Waiting {
  readonly task: AugmentTask;
  readonly signal: AbortSignal;
  readonly resolve: (r: AugmentResult) => void;
  readonly reject: (e: unknown) => void;
}

/** A pool of `threads` worker threads, or an in-process runner when `threads` is 0. */
export function createAugmentPool(threads: number): AugmentPool {
  if (!Number.isInteger(threads) || threads < 0) throw new RangeError(`workers must be an integer >= 0, got ${threads}`);
  if (threads === 0) return inlinePool();
  const { filename, execArgv } = workerFile('augmentWorker');
  const piscina = new Piscina({
    filename,
    execArgv,
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: 60_000,
    concurrentTasksPerWorker: TASKS_PER_THREAD,
  });
  // Destroying the pool while a task's result is on its way back makes Piscina emit 'error'
  // ("Unexpected message from Worker"), which would crash the process. Task failures themselves
  // reach the caller through the rejected `run` promise, so the event carries nothing we need.
  piscina.on('error', () => {});
  // Tasks wait here rather than in Piscina's queue: Piscina treats a task given a signal as
  // "abortable" and never puts a second task beside it on a thread, and aborting it kills the
  // thread. So no signal goes to Piscina; a task is checked against its signal when it leaves
  // this queue, and one already on a thread finishes (its result is dropped by the caller).
  const waiting: Waiting[] = [];
  let onThreads = 0;
  const submit = (): void => {
    while (onThreads < threads * TASKS_PER_THREAD && waiting.length > 0) {
      const w = waiting.shift()!;
      if (w.signal.aborted) {
        w.reject(w.signal.reason);
        continue;
      }
      onThreads++;
      (piscina.run(w.task, { transferList: [w.task.out] }) as Promise<AugmentResult>).then(w.resolve, w.reject).finally(() => {
        onThreads--;
        submit();
      });
    }
  };
  return {
    threads,
    run: (task, signal) =>
      new Promise<AugmentResult>((resolve, reject) => {
        if (signal.aborted) return reject(signal.reason);
        waiting.push({ task, signal, resolve, reject });
        submit();
      }),
    queued: () => waiting.length + piscina.queueSize,
    destroy: () => {
      for (const w of waiting.splice(0)) w.reject(new Error('augment pool destroyed'));
      return piscina.destroy();
    },
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
