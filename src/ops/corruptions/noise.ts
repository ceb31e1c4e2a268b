import type { Image } from '../image.ts';
import type { Rng } from '../rng.ts';
import { unit, type SyncCorruption, type Severity } from './corruption.ts';
import { SEVERITY_CONSTANTS, type CorruptionPreset } from './presets.ts';
import { poissonDraw, poissonParams, type PoissonParams } from './poisson.ts';

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
 * `clip(x + m N(0, c^2))` on x in [0, 1], per value, with m = 1 (gaussian_noise) or m = x
 * (speckle_noise, multiplicative). Same distributions as the original; the normal draws come from
 * our counter-based Rng (numpy's polar method), not numpy's Mersenne Twister.
 */
function normalNoise(name: 'gaussian_noise' | 'speckle_noise', multiplicative: boolean): SyncCorruption {
  return {
    name,
    fidelity: "same formula and constants; normal draws from our Rng (numpy's polar method) instead of numpy's generator",
    apply(src: Image, dst: Uint8Array, severity: Severity, preset: CorruptionPreset, rng: Rng): void {
      const c = SEVERITY_CONSTANTS[preset][name][severity - 1]!;
      const s = src.data;
      const z = normalsFor(s.length, rng);
      // 1 * y is y exactly: the additive case computes x + c z.
      for (let i = 0; i < s.length; i++) {
        const x = s[i]! / 255;
        dst[i] = unit(x + (multiplicative ? x : 1) * (c * z[i]!));
      }
    },
  };
}

export const gaussianNoise = normalNoise('gaussian_noise', false);
export const speckleNoise = normalNoise('speckle_noise', true);

/** `clip(Poisson(x c) / c)` on x in [0, 1], per value; Poisson draws as numpy's algorithms (see poisson.ts). */
export const shotNoise: SyncCorruption = {
  name: 'shot_noise',
  fidelity: "same formula and constants; Poisson draws by numpy's algorithms (multiplication / PTRS) on our Rng",
  apply(src: Image, dst: Uint8Array, severity: Severity, preset: CorruptionPreset, rng: Rng): void {
    const c = SEVERITY_CONSTANTS[preset].shot_noise[severity - 1]!;
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
    const c = SEVERITY_CONSTANTS[preset].impulse_noise[severity - 1]!;
    const s = src.data;
    for (let i = 0; i < s.length; i++) {
      const flipped = rng.uniform32() < c;
      dst[i] = flipped ? (rng.uniform32() < 0.5 ? 255 : 0) : unit(s[i]! / 255);
    }
  },
};
