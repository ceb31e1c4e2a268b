import type { Image } from '../image.ts';
import type { Rng } from '../rng.ts';
import { unit, type SyncCorruption, type Severity } from './corruption.ts';
import type { ByPreset, CorruptionPreset } from './presets.ts';
import { poissonDraw, poissonParams, type PoissonParams } from './poisson.ts';

// Per-severity constants of each generator.
const GAUSSIAN: ByPreset<readonly number[]> = {
  cifar: [0.04, 0.06, 0.08, 0.09, 0.1],
  'tiny-imagenet': [0.04, 0.08, 0.12, 0.15, 0.18],
  imagenet: [0.08, 0.12, 0.18, 0.26, 0.38],
};
const SHOT: ByPreset<readonly number[]> = {
  cifar: [500, 250, 100, 75, 50],
  'tiny-imagenet': [250, 100, 50, 30, 15],
  imagenet: [60, 25, 12, 5, 3],
};
const IMPULSE: ByPreset<readonly number[]> = {
  cifar: [0.01, 0.02, 0.03, 0.05, 0.07],
  'tiny-imagenet': [0.01, 0.02, 0.05, 0.08, 0.14],
  imagenet: [0.03, 0.06, 0.09, 0.17, 0.27],
};
const SPECKLE: ByPreset<readonly number[]> = {
  cifar: [0.06, 0.1, 0.12, 0.16, 0.2],
  'tiny-imagenet': [0.15, 0.2, 0.25, 0.3, 0.35],
  imagenet: [0.15, 0.2, 0.35, 0.45, 0.6],
};

let NORMALS = new Float64Array(0);

/** One standard normal per value of an image, in value order, in a scratch buffer (kernels are synchronous). */
function normalsFor(n: number, rng: Rng): Float64Array {
  if (NORMALS.length < n) NORMALS = new Float64Array(n);
  const z = NORMALS.subarray(0, n);
  rng.normals(z);
  return z;
}

/** Poisson constants per pixel level (lam = level / 255 * c), per c. */
const poissonTables = new Map<number, PoissonParams[]>();
function poissonTable(c: number): PoissonParams[] {
  let t = poissonTables.get(c);
  if (!t) poissonTables.set(c, (t = Array.from({ length: 256 }, (_, v) => poissonParams((v / 255) * c))));
  return t;
}

/**
 * `clip(x + N(0, c^2))` on x in [0, 1], per value. Same distribution as the original; the normal
 * draws come from our counter-based Rng, not numpy's Mersenne Twister.
 */
export const gaussianNoise: SyncCorruption = {
  name: 'gaussian_noise',
  fidelity: "same formula and constants; normal draws from our Rng (numpy's polar method) instead of numpy's generator",
  apply(src: Image, dst: Uint8Array, severity: Severity, preset: CorruptionPreset, rng: Rng): void {
    const c = GAUSSIAN[preset][severity - 1]!;
    const s = src.data;
    const z = normalsFor(s.length, rng);
    for (let i = 0; i < s.length; i++) dst[i] = unit(s[i]! / 255 + c * z[i]!);
  },
};

/** `clip(Poisson(x c) / c)` on x in [0, 1], per value; Poisson draws as numpy's algorithms (see poisson.ts). */
export const shotNoise: SyncCorruption = {
  name: 'shot_noise',
  fidelity: "same formula and constants; Poisson draws by numpy's algorithms (multiplication / PTRS) on our Rng",
  apply(src: Image, dst: Uint8Array, severity: Severity, preset: CorruptionPreset, rng: Rng): void {
    const c = SHOT[preset][severity - 1]!;
    const table = poissonTable(c);
    const s = src.data;
    for (let i = 0; i < s.length; i++) dst[i] = unit(poissonDraw(rng, table[s[i]!]!) / c);
  },
};

/**
 * skimage's `random_noise(mode='s&p', amount=c)`: each value (each channel separately) is replaced
 * with probability c, by 0 or 1 with equal odds. Untouched values go through `(v / 255) * 255` and
 * truncation as in the original, which can lower a value by one level.
 */
export const impulseNoise: SyncCorruption = {
  name: 'impulse_noise',
  fidelity: "same formula and constants (skimage's s&p: per channel value, salt vs pepper 0.5); draws from our Rng",
  apply(src: Image, dst: Uint8Array, severity: Severity, preset: CorruptionPreset, rng: Rng): void {
    const c = IMPULSE[preset][severity - 1]!;
    const s = src.data;
    for (let i = 0; i < s.length; i++) {
      const flipped = rng.uniform32() < c;
      dst[i] = flipped ? (rng.uniform32() < 0.5 ? 255 : 0) : unit(s[i]! / 255);
    }
  },
};

/** `clip(x + x N(0, c^2))` on x in [0, 1], per value (multiplicative Gaussian noise). */
export const speckleNoise: SyncCorruption = {
  name: 'speckle_noise',
  fidelity: "same formula and constants; normal draws from our Rng (numpy's polar method) instead of numpy's generator",
  apply(src: Image, dst: Uint8Array, severity: Severity, preset: CorruptionPreset, rng: Rng): void {
    const c = SPECKLE[preset][severity - 1]!;
    const s = src.data;
    const z = normalsFor(s.length, rng);
    for (let i = 0; i < s.length; i++) {
      const x = s[i]! / 255;
      dst[i] = unit(x + x * (c * z[i]!));
    }
  },
};
