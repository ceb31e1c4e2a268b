const fround = Math.fround;

/**
 * AugMix's mixing step, fused into one pass over the pixels (cifar.py:169-180):
 *   mix = 0; for each chain i: mix += w_i·norm(chain_i)      (float32 after every add)
 *   out = (1 − m)·norm(base) + m·mix                         (float32 products and sum)
 * `scaled` holds, per chain i and then for (1 − m), the float32 products w·norm(v) as
 * 256-entry tables per channel (`tables` = width + 1 blocks of channels·256 entries).
 * One pass instead of a pass per chain saves writing and re-reading the mix buffer.
 */
export function mixInto(
  base: Uint8Array,
  chains: readonly Uint8Array[],
  width: number,
  scaled: Float32Array,
  m: number,
  out: Float32Array,
  channels: number,
): void {
  const block = channels * 256;
  if (width === 3 && channels === 3) return mix3x3(base, chains[0]!, chains[1]!, chains[2]!, scaled, m, out);
  const keep = width * block;
  for (let j = 0; j < base.length; j += channels) {
    for (let c = 0; c < channels; c++) {
      let acc = 0;
      for (let i = 0; i < width; i++) acc = fround(acc + scaled[i * block + c * 256 + chains[i]![j + c]!]!);
      out[j + c] = scaled[keep + c * 256 + base[j + c]!]! + fround(m * acc);
    }
  }
}

/** The paper's case (3 chains, RGB), unrolled. The first add (0 + x) is exact, so it is skipped. */
function mix3x3(base: Uint8Array, a: Uint8Array, b: Uint8Array, c: Uint8Array, s: Float32Array, m: number, out: Float32Array): void {
  for (let j = 0; j < base.length; j += 3) {
    for (let k = 0, t = 0; k < 3; k++, t += 256) {
      const acc = fround(fround(s[t + a[j + k]!]! + s[768 + t + b[j + k]!]!) + s[1536 + t + c[j + k]!]!);
      out[j + k] = s[2304 + t + base[j + k]!]! + fround(m * acc);
    }
  }
}
