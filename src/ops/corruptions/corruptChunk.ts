import { imageAt, type ImageShape } from '../image.ts';
import { Rng } from '../rng.ts';
import type { Severity } from './corruption.ts';
import type { CorruptionPreset } from './presets.ts';
import { CORRUPTIONS, corruptionId } from './registry.ts';

/** A contiguous run of images to corrupt at one or more severities: what one pool task does. */
export interface CorruptChunkSpec {
  /** The clean images, NHWC uint8 (normally shared memory). */
  readonly pixels: Uint8Array;
  readonly shape: ImageShape;
  readonly corruption: string;
  /** Each image is corrupted at these, in this order, before the next image (so a kernel can share work between them). */
  readonly severities: readonly Severity[];
  /** Whose constants: see presets.ts. */
  readonly preset: CorruptionPreset;
  readonly seed: number;
  /** First clean image and how many. */
  readonly start: number;
  readonly count: number;
  /**
   * Destination, NHWC uint8: image `start + i` at the j-th severity goes to image
   * `outIndex + j * severityStride + i` here.
   */
  readonly out: Uint8Array;
  readonly outIndex: number;
  /** Images between two severities' blocks in `out` (unused with one severity). */
  readonly severityStride?: number;
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
  const stride = spec.severityStride ?? 0;
  for (let i = 0; i < spec.count; i++) {
    const src = imageAt(spec.pixels, spec.shape, spec.start + i);
    for (let j = 0; j < spec.severities.length; j++) {
      const severity = spec.severities[j]!;
      const dst = imageAt(spec.out, spec.shape, spec.outIndex + j * stride + i).data;
      const rng = corruptionRng(spec.seed, spec.corruption, severity, spec.start + i);
      if (c.async) await c.apply(src, dst, severity, spec.preset, rng);
      else c.apply(src, dst, severity, spec.preset, rng);
    }
  }
}
