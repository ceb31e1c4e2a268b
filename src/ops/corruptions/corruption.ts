import type { Image } from '../image.ts';
import type { Rng } from '../rng.ts';
import type { CorruptionPreset } from './presets.ts';

/** A severity level of the generators, 1 (mildest) to 5. */
export type Severity = 1 | 2 | 3 | 4 | 5;

/**
 * One corruption of the CIFAR-C / Tiny-ImageNet-C / ImageNet-C generators (Hendrycks & Dietterich
 * 2019, hendrycks/robustness). `apply` writes the corrupted `src` into `dst` (same shape, HWC uint8,
 * never aliasing `src`) with the constants of `preset` (see presets.ts); every random draw comes
 * from `rng`, so the output is a pure function of (src, severity, preset, the rng's stream).
 * Kernels trust their inputs: the CLI validates names and shapes.
 */
interface CorruptionInfo {
  readonly name: string;
  /** One line on how this implementation relates to the original (shown by `corrupt --list`). */
  readonly fidelity: string;
}

/** A corruption computed synchronously: most of them. */
export interface SyncCorruption extends CorruptionInfo {
  readonly async?: false;
  apply(src: Image, dst: Uint8Array, severity: Severity, preset: CorruptionPreset, rng: Rng): void;
}

/** A corruption whose `apply` returns a promise (the JPEG codec is asynchronous). */
export interface AsyncCorruption extends CorruptionInfo {
  readonly async: true;
  apply(src: Image, dst: Uint8Array, severity: Severity, preset: CorruptionPreset, rng: Rng): Promise<void>;
}

export type Corruption = SyncCorruption | AsyncCorruption;

/**
 * The original's last step, `np.uint8(np.clip(x, 0, 1) * 255)` for one value: clip, scale and
 * truncate (not round; rounding would sit +0.5 level above the original on average). A Uint8Array
 * store truncates toward zero, so the caller stores the returned double directly.
 */
export function unit(x: number): number {
  return x < 0 ? 0 : x > 1 ? 255 : x * 255;
}

// Module-level alias: inside jest's vm context each `Math.x` in a hot loop is a slow global lookup.
const fround = Math.fround;

/** The image as float32 values in [0, 1], `np.float32(x) / 255`. */
export function unitFloat32(s: Uint8Array): Float32Array {
  const x = new Float32Array(s.length);
  for (let i = 0; i < s.length; i++) x[i] = fround(s[i]! / 255);
  return x;
}
