import { imageAt, type ImageShape } from '../image.ts';
import { Rng } from '../rng.ts';
import type { Severity } from './corruption.ts';
import type { CorruptionPreset } from './presets.ts';
import { CORRUPTIONS, corruptionId } from './registry.ts';

/** A contiguous run of images to corrupt at one severity: what one pool task does. */
export interface CorruptChunkSpec {
  /** The clean images, NHWC uint8 (normally shared memory). */
  readonly pixels: Uint8Array;
  readonly shape: ImageShape;
  readonly corruption: string;
  readonly severity: Severity;
  /** Whose constants: see presets.ts. */
  readonly preset: CorruptionPreset;
  readonly seed: number;
  /** First clean image and how many. */
  readonly start: number;
  readonly count: number;
  /** Destination, NHWC uint8: image `start + i` goes to image `outIndex + i` here. */
  readonly out: Uint8Array;
  readonly outIndex: number;
}

/**
 * The random stream of image `index` under one corruption and severity: `Rng.at(seed, 'corrupt',
 * 8 * corruptionId + severity, index)`. A pure function of those numbers, so the output does not
 * depend on chunking or on how many threads ran.
 */
export function corruptionRng(seed: number, corruption: string, severity: Severity, index: number): Rng {
  return Rng.at(seed, 'corrupt', 8 * corruptionId(corruption) + severity, index);
}

/** Corrupts the images of `spec` into `spec.out`. */
export async function corruptChunk(spec: CorruptChunkSpec): Promise<void> {
  const c = CORRUPTIONS.get(spec.corruption);
  if (!c) throw new RangeError(`corruption '${spec.corruption}' is not implemented`);
  for (let i = 0; i < spec.count; i++) {
    const src = imageAt(spec.pixels, spec.shape, spec.start + i);
    const dst = imageAt(spec.out, spec.shape, spec.outIndex + i).data;
    const rng = corruptionRng(spec.seed, spec.corruption, spec.severity, spec.start + i);
    if (c.async) await c.apply(src, dst, spec.severity, spec.preset, rng);
    else c.apply(src, dst, spec.severity, spec.preset, rng);
  }
}
