import type { Image, ImageShape } from './image.ts';
import type { Rng } from './rng.ts';

/**
 * One augmentation op, split into sampling and applying (kornia's lesson): `sample` turns the
 * AugMix severity into a concrete, JSON-serialisable parameter; `apply` is deterministic in it.
 * A recorded parameter therefore replays the exact transform.
 */
export interface Primitive<P = unknown> {
  /** The registry name, e.g. 'rotate'; recorded with every sampled parameter. */
  readonly name: string;
  /** Draws this op's parameter. `severity` bounds the level u ~ U[0.1, severity). */
  sample(rng: Rng, severity: number, shape: ImageShape): P;
  /** Writes the op's result for `src` into `dst` (same shape, a different buffer). */
  apply(src: Image, dst: Image, param: P): void;
}

/** One applied op: what a chain records and replays. */
export interface OpRecord {
  readonly op: string;
  readonly param: unknown;
}

/** AugMix's `sample_level`: u ~ U[0.1, severity) (augmentations.py:52). */
export function sampleLevel(rng: Rng, severity: number): number {
  return rng.range(0.1, severity);
}

/** AugMix's `int_parameter`: int(level * maxval / 10), truncated (augmentations.py:35). */
export function intParameter(level: number, maxval: number): number {
  return Math.trunc((level * maxval) / 10);
}

/** AugMix's `float_parameter`: level * maxval / 10 (augmentations.py:49). */
export function floatParameter(level: number, maxval: number): number {
  return (level * maxval) / 10;
}
