import { Augmenter } from '../ops/augmenter.ts';
import { augmentChunk, type ChunkSpec } from '../ops/augmentChunk.ts';
import type { SampleParams } from '../ops/sampleParams.ts';
import type { Strategy } from '../ops/strategy.ts';
import { loadPrimitives } from './loadPrimitives.ts';

/** One unit of pool work: a chunk of samples, and the buffer to fill (transferred, not copied). */
export interface AugmentTask extends ChunkSpec {
  readonly strategy: Strategy;
  readonly views: number;
  /** Float32 storage for [views, indices.length, H, W, C]. */
  readonly out: ArrayBuffer;
  /** Return the sampled parameters (for logging and replay). */
  readonly record: boolean;
}

export interface AugmentResult {
  readonly out: ArrayBuffer;
  readonly params: SampleParams[] | null;
  /** Milliseconds the thread spent on the chunk (for utilisation). */
  readonly busyMs: number;
}

const augmenters = new Map<string, Promise<Augmenter>>();

/** Runs a task wherever it is called (a pool thread or the main thread); augmenters are cached per thread. */
export async function runAugmentTask(task: AugmentTask): Promise<AugmentResult> {
  const key = JSON.stringify([task.strategy, task.shape]);
  let augmenter = augmenters.get(key);
  if (!augmenter) {
    augmenter = loadPrimitives(task.strategy).then((registry) => new Augmenter(task.strategy, registry, task.shape));
    augmenters.set(key, augmenter);
    augmenter.catch(() => augmenters.delete(key));
  }
  const a = await augmenter;
  const start = performance.now();
  const params = augmentChunk(task, a, new Float32Array(task.out), task.views, task.record);
  return { out: task.out, params, busyMs: performance.now() - start };
}
