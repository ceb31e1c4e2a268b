import { paperFourierSampling, type FourierSampling } from './fourierPrimitive.ts';
import { primitiveSets } from './augmentations.ts';

/** Where a user-written primitive lives, so every worker can import it: module URL or path + export name. */
export interface PrimitiveModule {
  readonly module: string;
  readonly export: string;
}

/**
 * An augmentation strategy: plain data, so it can be sent to workers, logged and compared.
 * Defaults follow AugMix's CIFAR recipe (cifar.py) and the paper (appendix A.2).
 */
export interface Strategy {
  readonly name: string;
  /** Ops drawn uniformly, with replacement, at each step of each chain; empty means no AugMix (Base). */
  readonly ops: readonly string[];
  /** Chains per view (`--mixture-width`, 3). */
  readonly width: number;
  /** Ops per chain; −1 draws uniformly from {1, 2, 3} per chain (`--mixture-depth`, −1). */
  readonly depth: number;
  /** Upper bound of the op level u ~ U[0.1, severity) (`--aug-severity`, 3). */
  readonly severity: number;
  /** Dirichlet(α,…,α) chain weights and Beta(α, α) mixing weight; hard-coded 1 on CIFAR. */
  readonly alpha: number;
  /** Emit (clean, aug1, aug2) for the Jensen-Shannon loss instead of one augmented view. */
  readonly jsd: boolean;
  /** Baseline random horizontal flip (p = 0.5), before AugMix. */
  readonly flip: boolean;
  /** Baseline random crop with this much zero padding per side (4); 0 disables the crop. */
  readonly padding: number;
  /** Per-channel normalisation applied last: (x/255 − mean) / std. */
  readonly mean: readonly number[];
  readonly std: readonly number[];
  /** How the F primitive draws its wave, phase, norm and alignment. */
  readonly fourier: FourierSampling;
  /** User primitives to load (in every worker) in addition to the built-ins. */
  readonly modules: readonly PrimitiveModule[];
}

const defaults: Omit<Strategy, 'name' | 'ops'> = {
  width: 3,
  depth: -1,
  severity: 3,
  alpha: 1,
  jsd: true,
  flip: true,
  padding: 4,
  mean: [0.5, 0.5, 0.5],
  std: [0.5, 0.5, 0.5],
  fourier: paperFourierSampling,
  modules: [],
};

const { S, V, C, F } = primitiveSets;

/** The strategies of the paper (Tables 1-2). Base is flip + crop only, trained with plain CE. */
export const strategies: Readonly<Record<string, Strategy>> = {
  Base: defineStrategy({ name: 'Base', ops: [], jsd: false }),
  AugF: defineStrategy({ name: 'AugF', ops: [...F] }),
  AugS: defineStrategy({ name: 'AugS', ops: [...S] }),
  AugSF: defineStrategy({ name: 'AugSF', ops: [...S, ...F] }),
  AugSV: defineStrategy({ name: 'AugSV', ops: [...S, ...V] }),
  AugSVC: defineStrategy({ name: 'AugSVC', ops: [...S, ...V, ...C] }),
  AugSVF: defineStrategy({ name: 'AugSVF', ops: [...S, ...V, ...F] }),
};

/** Builds a strategy from a name, an op list and any settings to change; validates the numbers. */
export function defineStrategy(spec: Pick<Strategy, 'name' | 'ops'> & Partial<Strategy>): Strategy {
  const s: Strategy = { ...defaults, ...spec };
  const bad = (key: string, value: unknown, want: string): never => {
    throw new RangeError(`strategy '${s.name}': ${key} = ${JSON.stringify(value)} is invalid; expected ${want}`);
  };
  if (!Number.isInteger(s.width) || s.width < 1) bad('width', s.width, 'an integer >= 1');
  if (!Number.isInteger(s.depth) || (s.depth < 1 && s.depth !== -1)) bad('depth', s.depth, '-1 or an integer >= 1');
  if (!(s.severity > 0.1)) bad('severity', s.severity, 'a number > 0.1');
  if (!(s.alpha > 0)) bad('alpha', s.alpha, 'a number > 0');
  if (!Number.isInteger(s.padding) || s.padding < 0) bad('padding', s.padding, 'an integer >= 0');
  if (s.mean.length !== s.std.length) bad('mean/std', [s.mean, s.std], 'the same length');
  if (s.std.some((x) => !(x > 0))) bad('std', s.std, 'positive numbers');
  if (s.jsd && s.ops.length === 0) bad('jsd', s.jsd, 'false when ops is empty (no augmented views to compare)');
  return s;
}

/** Views per sample: 3 for JSD (clean, aug1, aug2), else 1 (augmented, or clean for Base). */
export function viewCount(s: Strategy): number {
  return s.jsd ? 3 : 1;
}

/** Resolves a strategy by name (case-insensitive), or throws listing the known ones. */
export function strategyByName(name: string): Strategy {
  const found = Object.values(strategies).find((s) => s.name.toLowerCase() === name.toLowerCase());
  if (!found) throw new RangeError(`unknown strategy '${name}'; known: ${Object.keys(strategies).join(', ')}`);
  return found;
}
