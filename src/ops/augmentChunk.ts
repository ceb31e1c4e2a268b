import { Augmenter } from './augmenter.ts';
import { imageAt, type ImageShape } from './image.ts';
import { Rng } from './rng.ts';
import { sampleParams, type SampleParams } from './sampleParams.ts';

/** What one chunk of work needs besides the augmenter: which samples, and their random streams. */
export interface ChunkSpec {
  /** The dataset's pixels, NHWC uint8. */
  readonly pixels: Uint8Array;
  readonly shape: ImageShape;
  /** Dataset indices of the chunk's samples, in output order. */
  readonly indices: Int32Array;
  readonly seed: number;
  readonly epoch: number;
  /** Parameters to replay instead of sampling (one per index), e.g. from a recorded run. */
  readonly replay?: readonly SampleParams[] | undefined;
}

/**
 * Augments a chunk into `out`, laid out [view, sample, H, W, C] (float32). Sample i's randomness is
 * Rng.at(seed, 'augment', epoch, indices[i]): a pure function of (seed, epoch, dataset index), so
 * the bytes do not depend on chunking, batching or which worker ran the chunk.
 * Returns the parameters used when `record` is set (for logging and replay), else null: a chunk's
 * parameters kept alive to the end would be promoted to the old heap for nothing.
 */
export function augmentChunk(spec: ChunkSpec, augmenter: Augmenter, out: Float32Array, views: number, record = false): SampleParams[] | null {
  const n = spec.indices.length;
  const size = spec.shape.width * spec.shape.height * spec.shape.channels;
  const strategy = augmenter.strategy;
  const registry = augmenter.registry;
  const used: SampleParams[] | null = record ? [] : null;
  const dst = new Array<Float32Array>(views);
  for (let i = 0; i < n; i++) {
    const index = spec.indices[i]!;
    const params = spec.replay?.[i] ?? sampleParams(Rng.at(spec.seed, 'augment', spec.epoch, index), strategy, spec.shape, registry);
    for (let v = 0; v < views; v++) dst[v] = out.subarray((v * n + i) * size, (v * n + i + 1) * size);
    augmenter.apply(imageAt(spec.pixels, spec.shape, index), params, dst);
    used?.push(params);
  }
  return used;
}
