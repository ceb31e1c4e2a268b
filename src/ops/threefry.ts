/**
 * Threefry-2x32 with 20 rounds (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3",
 * SC'11; the generator JAX uses). A counter-based generator: the output is a pure function of
 * (key, counter), so a sample's random draws never depend on which worker ran it or in what order.
 * This scalar form is the definition (and derives keys); streams take their blocks in batches from
 * the SIMD kernel wasm/threefry.c, which test/ops/rng.test.ts checks against it.
 */
const PARITY = 0x1bd11bda;

/**
 * Encrypts the counter (c0, c1) under the key (k0, k1) and writes the two output words to
 * `out[0]`, `out[1]` as unsigned 32-bit integers. All arguments are taken modulo 2^32.
 */
export function threefry2x32(k0: number, k1: number, c0: number, c1: number, out: Uint32Array): void {
  const ks0 = k0 | 0;
  const ks1 = k1 | 0;
  const ks2 = PARITY ^ ks0 ^ ks1;
  let x0 = (c0 + ks0) | 0;
  let x1 = (c1 + ks1) | 0;
  // Key words to inject after each group of four rounds: (ks1, ks2), (ks2, ks0), (ks0, ks1), ...
  let a = ks1;
  let b = ks2;
  let c = ks0;
  for (let g = 1; g <= 5; g++) {
    // Rotations 13, 15, 26, 6 in odd groups, 17, 29, 16, 24 in even ones, as constants.
    const odd = (g & 1) === 1;
    x0 = (x0 + x1) | 0;
    x1 = (odd ? (x1 << 13) | (x1 >>> 19) : (x1 << 17) | (x1 >>> 15)) ^ x0;
    x0 = (x0 + x1) | 0;
    x1 = (odd ? (x1 << 15) | (x1 >>> 17) : (x1 << 29) | (x1 >>> 3)) ^ x0;
    x0 = (x0 + x1) | 0;
    x1 = (odd ? (x1 << 26) | (x1 >>> 6) : (x1 << 16) | (x1 >>> 16)) ^ x0;
    x0 = (x0 + x1) | 0;
    x1 = (odd ? (x1 << 6) | (x1 >>> 26) : (x1 << 24) | (x1 >>> 8)) ^ x0;
    x0 = (x0 + a) | 0;
    x1 = (x1 + b + g) | 0;
    const t = a;
    a = b;
    b = c;
    c = t;
  }
  out[0] = x0;
  out[1] = x1;
}
