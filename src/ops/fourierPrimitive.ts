import { unitBasis } from './basisCache.ts';
import { toolboxPhase } from './fourierBasis.ts';
import type { Image, ImageShape } from './image.ts';
import { perturbUint8Into } from './fourierPerturb.ts';
import type { Primitive } from './primitive.ts';
import type { Rng } from './rng.ts';
import { frequency, waveVectors, type WaveVector } from './waveVectors.ts';

/** A sampled Fourier perturbation: the wave, its phase (paper convention), ℓ2 norm and per-channel signs. */
export interface FourierParam {
  readonly kx: number;
  readonly ky: number;
  readonly phase: number;
  readonly norm: number;
  /** +1 or −1 per channel: all +1 is channel-aligned. */
  readonly signs: readonly number[];
}

/** How the F primitive draws its parameters. */
export interface FourierSampling {
  /** ||U||_2 ~ U[lo, hi). */
  readonly norm: readonly [number, number];
  /** φ values (paper convention), drawn uniformly. */
  readonly phases: readonly number[];
  /**
   * 'uniform-radius': a distinct frequency ||k|| uniformly, then a wave of that frequency
   * uniformly (the paper's "frequencies uniformly represented"). 'inverse-radius': P(k) ∝ 1/||k||,
   * the toolbox's approximation of it. 'uniform': uniform over K. Zero frequency is never drawn.
   */
  readonly frequencies: 'uniform-radius' | 'inverse-radius' | 'uniform';
  /** Probability of random-flip alignment (otherwise channel-aligned). */
  readonly pFlip: number;
}

/** The paper's wording (§2.1, A.3): norm U[1,2], φ ∈ {0, 2π/3, 4π/3}, alignment random. */
export const paperFourierSampling: FourierSampling = {
  norm: [1, 2],
  phases: [0, (2 * Math.PI) / 3, (4 * Math.PI) / 3],
  frequencies: 'uniform-radius',
  pFlip: 0.5,
};

/** The authors' code: the same, with the toolbox's π/4 offset, + sign and 1/||k|| weights. */
export const toolboxFourierSampling: FourierSampling = {
  ...paperFourierSampling,
  phases: [0, 1 / 3, 2 / 3].map(toolboxPhase),
  frequencies: 'inverse-radius',
};

/** The F primitive: a random Fourier-basis perturbation applied to a uint8 image. */
export function fourierPrimitive(sampling: FourierSampling = paperFourierSampling): Primitive<FourierParam> {
  let scaled = new Float32Array(0);
  return {
    name: 'fourier',
    sample(rng: Rng, _severity: number, shape: ImageShape): FourierParam {
      const k = drawWave(rng, shape, sampling.frequencies);
      const phase = rng.choice(sampling.phases);
      const norm = rng.range(sampling.norm[0], sampling.norm[1]);
      const flip = rng.bernoulli(sampling.pFlip);
      const signs = Array.from({ length: shape.channels }, () => (flip ? rng.sign() : 1));
      return { kx: k.kx, ky: k.ky, phase, norm, signs };
    },
    apply(src: Image, dst: Image, p: FourierParam): void {
      const unit = unitBasis(src.height, src.width, p.kx, p.ky, p.phase);
      if (scaled.length !== unit.length) scaled = new Float32Array(unit.length);
      const norm = Math.fround(p.norm);
      for (let i = 0; i < unit.length; i++) scaled[i] = unit[i]! * norm;
      perturbUint8Into(src, dst, scaled, p.signs);
    },
  };
}

interface WaveTable {
  readonly waves: WaveVector[];
  /** Cumulative weights for 'inverse-radius'. */
  readonly cumulative: Float64Array;
  /** Waves grouped by distinct frequency, for 'uniform-radius'. */
  readonly groups: WaveVector[][];
}

const tables = new Map<string, WaveTable>();

function drawWave(rng: Rng, shape: ImageShape, mode: FourierSampling['frequencies']): WaveVector {
  const t = waveTable(shape.height, shape.width);
  if (mode === 'uniform') return rng.choice(t.waves);
  if (mode === 'uniform-radius') return rng.choice(rng.choice(t.groups));
  const u = rng.uniform() * t.cumulative[t.cumulative.length - 1]!;
  let lo = 0;
  let hi = t.cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (t.cumulative[mid]! > u) hi = mid;
    else lo = mid + 1;
  }
  return t.waves[lo]!;
}

function waveTable(height: number, width: number): WaveTable {
  const key = `${height}x${width}`;
  let t = tables.get(key);
  if (t) return t;
  const waves = waveVectors(height, width).filter((k) => k.kx !== 0 || k.ky !== 0);
  const cumulative = new Float64Array(waves.length);
  const byFreq = new Map<number, WaveVector[]>();
  let acc = 0;
  waves.forEach((k, i) => {
    acc += 1 / Math.hypot(k.kx, k.ky);
    cumulative[i] = acc;
    const f = Math.round(frequency(k, height, width) * 1e9);
    byFreq.set(f, [...(byFreq.get(f) ?? []), k]);
  });
  const groups = [...byFreq.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]);
  t = { waves, cumulative, groups };
  tables.set(key, t);
  return t;
}
