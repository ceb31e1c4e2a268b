import { toolboxPhase } from './fourierBasis.ts';
import { Rng } from './rng.ts';
import { allWaveVectors, gridPosition, waveVectors, type WaveVector } from './waveVectors.ts';

/** How the wave is added to the colour channels (paper §2): all +1, or an independent ±1 per image and channel. */
export type Alignment = 'aligned' | 'random-flip';
export const ALIGNMENTS: readonly Alignment[] = ['aligned', 'random-flip'];

/**
 * Which phase convention `phases` are given in, as multiples of 2π ("factors"):
 * `'paper'`: φ = 2π·factor, subtracted (Eq. 1: cos(2π f r·k̂ − φ)); the paper's test phase is
 *   factor 0.75, i.e. φ = 3π/2, where the wave is −sin and the DC/Nyquist waves are all zero.
 * `'toolbox'`: the authors' code, cos(θ + π/4 + 2π·factor), so factor 0.75 is a total phase of
 *   7π/4 and no wave is all zero (`toolboxPhase`).
 */
export type PhaseConvention = 'paper' | 'toolbox';

/** One cell of the attack grid: a wave vector, a phase, an ℓ2 norm and an alignment. */
export interface FourierCell {
  /** Stable identity: the same cell has the same key in every shard, run and resumption. */
  readonly key: string;
  /** Position in the canonical grid order (what shards split). */
  readonly index: number;
  readonly kx: number;
  readonly ky: number;
  /** The phase as given, a multiple of 2π in `convention`. */
  readonly phaseFactor: number;
  /** φ in radians, paper convention: what `fourierBasis` takes. */
  readonly phase: number;
  readonly norm: number;
  readonly alignment: Alignment;
}

/** What the grid is made of; also the part of a results file's fingerprint that fixes its cells. */
export interface FourierGridSpec {
  readonly height: number;
  readonly width: number;
  /** Phases as multiples of 2π (paper default: [0.75]). */
  readonly phaseFactors: readonly number[];
  readonly convention: PhaseConvention;
  /** ℓ2 norms of the perturbation (paper: 1, 2, 3, 4), in [0,1] pixel units. */
  readonly norms: readonly number[];
  readonly alignments: readonly Alignment[];
  /**
   * Only waves with |kx| ≤ maxK and |ky| ≤ maxK (signed, centred form). Default: all of K. Not in
   * the paper: for quick looks at low frequencies and for tests.
   */
  readonly maxK?: number;
  /**
   * Only waves whose kx and ky are both multiples of kStep: a coarse look at the whole spectrum
   * (kStep 4 on 32x32: 34 of the 514 waves). Not in the paper: for quick runs such as `npm start`.
   */
  readonly kStep?: number;
  /**
   * Both waves of every conjugate pair (H·W waves) instead of one of each (the authors' K), each
   * drawn in its own place on the heatmap. Not in the paper.
   */
  readonly fullPlane?: boolean;
}

/** The paper's attack: φ = 3π/2, norms 1-4, both alignments, every wave of K. */
export const paperGrid = (height = 32, width = 32): FourierGridSpec => ({
  height,
  width,
  phaseFactors: [0.75],
  convention: 'paper',
  norms: [1, 2, 3, 4],
  alignments: ALIGNMENTS,
});

/** φ (paper convention, radians) of a phase factor in `convention`. */
export function phaseOf(factor: number, convention: PhaseConvention): number {
  return convention === 'paper' ? 2 * Math.PI * factor : toolboxPhase(factor);
}

/**
 * Every cell of the grid, in canonical order: phase, then norm, then alignment, then wave vector
 * in K's order (`waveVectors`). Each conjugate pair appears once: U(−k) at the same phase is the
 * same matrix up to the sign of the phase, and the heatmap shows it at both positions. With
 * `fullPlane`, every k-grid position is a cell of its own (`allWaveVectors`).
 */
export function fourierGrid(spec: FourierGridSpec): FourierCell[] {
  const { maxK, kStep } = spec;
  const waves = (spec.fullPlane ? allWaveVectors : waveVectors)(spec.height, spec.width).filter(
    (k) => (maxK === undefined || (Math.abs(k.kx) <= maxK && Math.abs(k.ky) <= maxK)) && (kStep === undefined || (k.kx % kStep === 0 && k.ky % kStep === 0)),
  );
  const cells: FourierCell[] = [];
  for (const phaseFactor of spec.phaseFactors) {
    const phase = phaseOf(phaseFactor, spec.convention);
    for (const norm of spec.norms) {
      for (const alignment of spec.alignments) {
        for (const k of waves) {
          cells.push({ key: cellKey(k, phaseFactor, norm, alignment), index: cells.length, kx: k.kx, ky: k.ky, phaseFactor, phase, norm, alignment });
        }
      }
    }
  }
  return cells;
}

/** `<alignment>/norm<norm>/phase<factor>/k<kx>,<ky>`: readable, and unique within a grid. */
export function cellKey(k: WaveVector, phaseFactor: number, norm: number, alignment: Alignment): string {
  return `${alignment}/norm${norm}/phase${phaseFactor}/k${k.kx},${k.ky}`;
}

/**
 * Random-flip signs for `indices` (dataset image indices), `channels` per image, into `out`
 * (length indices.length · channels): image i's signs are the first draws of
 * `Rng.at(seed, 'fourierEval', p, i)` with p the wave's position on the centred k-grid. So they
 * depend on (seed, wave, image) only, never on batch size, shard or order, and the same image
 * gets the same signs for a wave at every norm and phase (paired comparisons across norms).
 */
export function flipSignsInto(
  seed: number,
  k: WaveVector,
  height: number,
  width: number,
  indices: ArrayLike<number>,
  channels: number,
  out: Float32Array,
): void {
  const { row, col } = gridPosition(k, height, width);
  const stream = row * width + col;
  for (let i = 0; i < indices.length; i++) {
    const rng = Rng.at(seed, 'fourierEval', stream, indices[i]!);
    for (let c = 0; c < channels; c++) out[i * channels + c] = rng.sign();
  }
}
