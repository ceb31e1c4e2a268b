import { scratch } from './kernels.ts';

/**
 * AugMix's mixing step, fused into one pass over the pixels (cifar.py:169-180):
 *   mix = 0; for each chain i: mix += w_i·norm(chain_i)      (float32 after every add)
 *   out = (1 − m)·norm(base) + m·mix                         (float32 products and sum)
 * `scaled` holds, per chain i and then for (1 − m), the float32 products w·norm(v) as
 * 256-entry tables per channel (`tables` = width + 1 blocks of channels·256 entries).
 * One pass instead of a pass per chain saves writing and re-reading the mix buffer. Runs in
 * WebAssembly (wasm/mix.c); this entry copies its arguments in and the result out, the Augmenter
 * calls the kernel on buffers already there.
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
  const n = base.length;
  const io = scratch(n * (width + 1) + 4 * (scaled.length + width + out.length) + 16 * (width + 4));
  const b = io.bytes(n);
  b.set(base);
  const at = io.ints(width);
  for (let i = 0; i < width; i++) {
    const c = io.bytes(n);
    c.set(chains[i]!);
    at[i] = c.byteOffset;
  }
  const s = io.floats(scaled.length);
  s.set(scaled);
  const o = io.floats(out.length);
  io.k.mix(b.byteOffset, at.byteOffset, width, s.byteOffset, m, o.byteOffset, n, channels);
  out.set(o);
}
