import { fourierBasisInto } from './fourierBasis.ts';

/**
 * Unit-norm bases, memoised per (H, W, kx, ky, φ): training draws from a few thousand waves, and
 * building one 32x32 basis costs 1,024 cosines. Bounded so a long-lived worker cannot grow without
 * limit; evicts in insertion order.
 */
const MAX_ENTRIES = 4096;
const cache = new Map<string, Float32Array>();

/** The unit-norm U(k) for phase φ (paper convention); shared, do not modify. */
export function unitBasis(height: number, width: number, kx: number, ky: number, phase: number): Float32Array {
  const key = `${height},${width},${kx},${ky},${phase}`;
  let basis = cache.get(key);
  if (!basis) {
    basis = new Float32Array(height * width);
    fourierBasisInto({ height, width, kx, ky, phase, norm: 1 }, basis);
    if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!);
    cache.set(key, basis);
  }
  return basis;
}
