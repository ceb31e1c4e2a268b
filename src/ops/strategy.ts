import { paperFourierSampling, type FourierSampling } from './fourierPrimitive.ts';
import { builtinPrimitives, primitiveSets } from './augmentations.ts';
import { didYouMean } from './nearest.ts';

const builtinNames: readonly string[] = [...builtinPrimitives().keys()];

/**
 * Where a user-written primitive lives, so every worker can import it: a module and an export name.
 * `module` is a `file:` URL (`new URL('./invert.mjs', import.meta.url)`), an absolute path, a
 * package name, or a path relative to the strategy file (or, for a strategy defined in code and
 * not loaded from a file, to the working directory).
 */
export interface PrimitiveModule {
  readonly module: string;
  readonly export: string;
  /** SHA-256 of the module's source, set when the strategy is checked (`checkStrategy`). */
  readonly sha256?: string;
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
  /** The module this strategy was loaded from (`strategy=<file>`), with the SHA-256 of its source. */
  readonly source?: { readonly url: string; readonly sha256: string };
}

/** What `defineStrategy` takes: a name, the ops, and any setting to change; a module may be a URL. */
export type StrategySpec = Pick<Strategy, 'name' | 'ops'> &
  Partial<Omit<Strategy, 'name' | 'ops' | 'modules'>> & {
    readonly modules?: readonly (Omit<PrimitiveModule, 'module'> & { readonly module: string | URL })[];
  };

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

/**
 * Builds a strategy from a name, an op list and any settings to change, and validates it: the
 * numbers, and, when it uses no user modules, every op name (a user module's primitives are only
 * known once it is imported: `checkStrategy` does that, and `augment` calls it before any work).
 *
 * @throws RangeError naming the strategy, the setting and what was expected
 */
export function defineStrategy(spec: StrategySpec): Strategy {
  const modules = (spec.modules ?? []).map((m) => ({ ...m, module: m.module instanceof URL ? m.module.href : m.module }));
  const s: Strategy = { ...defaults, ...spec, modules };
  const bad = (key: string, value: unknown, want: string): never => {
    throw new RangeError(`strategy '${s.name}': ${key} = ${JSON.stringify(value)} is invalid; expected ${want}`);
  };
  if (typeof s.name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(s.name))
    bad('name', s.name, "letters, digits, '.', '-' or '_' (it names run folders)");
  if (!Array.isArray(s.ops) || s.ops.some((op) => typeof op !== 'string')) bad('ops', s.ops, 'an array of primitive names');
  if (s.modules.some((m) => typeof m.module !== 'string' || m.module === '' || typeof m.export !== 'string' || m.export === '')) {
    bad('modules', s.modules, 'entries { module: a path, file: URL or package name, export: a name }');
  }
  if (s.modules.length === 0) {
    const unknown = s.ops.find((op) => !builtinNames.includes(op));
    if (unknown !== undefined) throw new RangeError(unknownPrimitive(s.name, unknown, builtinNames));
  }
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
  if (!found) throw new RangeError(`unknown strategy '${name}'${didYouMean(name, Object.keys(strategies))}; known: ${Object.keys(strategies).join(', ')}`);
  return found;
}

/** The error for an op no primitive provides, with the nearest known name. */
export function unknownPrimitive(strategy: string, op: string, known: readonly string[]): string {
  return `strategy '${strategy}': unknown primitive '${op}'${didYouMean(op, known)}; known: ${[...known].sort().join(', ')}`;
}
