import { scratch } from './kernels.ts';

/**
 * Per-channel lookup tables for (v/255 − mean)/std, each step rounded to float32 as torchvision's
 * ToTensor + Normalize do: a table lookup gives the same bits as the arithmetic, for 1/20 the cost.
 * Row c of the result (256 entries) is channel c's table.
 */
export function normalizationTable(mean: readonly number[], std: readonly number[]): Float32Array {
  const f = Math.fround;
  const table = new Float32Array(256 * mean.length);
  for (let c = 0; c < mean.length; c++) {
    const m = f(mean[c]!);
    const s = f(std[c]!);
    for (let v = 0; v < 256; v++) table[c * 256 + v] = f(f(f(v / 255) - m) / s);
  }
  return table;
}

/** Writes the normalised float image of `src` (HWC uint8) into `dst` (HWC float32), in WebAssembly. */
export function normalizeInto(src: Uint8Array, dst: Float32Array, table: Float32Array, channels: number): void {
  const io = scratch(src.length + 4 * (dst.length + table.length));
  const s = io.bytes(src.length);
  const d = io.floats(dst.length);
  const t = io.floats(table.length);
  s.set(src);
  t.set(table);
  io.k.normalize(s.byteOffset, d.byteOffset, src.length, channels, t.byteOffset);
  dst.set(d);
}
