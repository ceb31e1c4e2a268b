import type { ImageShape } from '../ops/image.ts';
import type { SampleParams } from '../ops/sampleParams.ts';

/**
 * A chunk of augmented samples, owned by whoever holds it: `release()` hands its buffer and credit
 * back to `augment`. Stages that keep a chunk beyond their handler call `retain()` first.
 */
export interface AugmentedChunk {
  readonly epoch: number;
  /** Chunk number within the stream, from 0, in emission order. */
  readonly seq: number;
  /** Position of the first sample within the epoch's order. */
  readonly start: number;
  /** Samples in this chunk's epoch. */
  readonly epochSize: number;
  readonly indices: Int32Array;
  readonly labels: Int32Array;
  readonly views: number;
  readonly shape: ImageShape;
  /** Normalised float32 pixels, [views, indices.length, H, W, C]. */
  readonly data: Float32Array;
  /** Sampled parameters per sample when recording, else null. */
  readonly params: readonly SampleParams[] | null;
  /** The stream's chunk size and credit limit, so downstream stages can check they can make progress. */
  readonly chunkSize: number;
  readonly credits: number;
  retain(): void;
  release(): void;
}

/** Reference counting for a chunk: `onFree` runs once, when the count drops to zero. */
export function refCounted(onFree: () => void): Pick<AugmentedChunk, 'retain' | 'release'> {
  let refs = 1;
  return {
    retain: () => {
      if (refs <= 0) throw new Error('chunk retained after it was freed');
      refs++;
    },
    release: () => {
      if (refs <= 0) throw new Error('chunk released more times than retained');
      if (--refs === 0) onFree();
    },
  };
}
