import { fourierBasisInto } from './fourierBasis.ts';

/**
 * Unit-norm bases, memoised per (H, W, kx, ky, φ): training draws from a few thousand waves, and
 * building one 32x32 basis costs 1,024 cosines. Bounded in bytes (64 MiB: every 32x32 basis at
 * every training phase fits many times over) so a long-lived worker cannot grow without limit on
 * large images; evicts in insertion order.
 */
const MAX_BYTES = 64 * 1024 * 1024;
const cache = new Map<string, Float32Array>();
let bytes = 0;

/** The unit-norm U(k) for phase φ (paper convention); shared, do not modify. */
export function unitBasis(height: number, width: number, kx: number, ky: number, phase: number): Float32Array {
  const key = `${height},${width},${kx},${ky},${phase}`;
  let basis = cache.get(key);
  if (!basis) {
    basis = new Float32Array(height * width);
    fourierBasisInto({ height, width, kx, ky, phase, norm: 1 }, basis);
    while (cache.size > 0 && bytes + basis.byteLength > MAX_BYTES) {
      const [oldest, evicted] = cache.entries().next().value!;
      cache.delete(oldest);
      bytes -= evicted.byteLength;
    }
    cache.set(key, basis);
    bytes += basis.byteLength;
  }
  return basis;
}
