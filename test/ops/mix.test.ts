import { mixInto } from '../../src/ops/mix.ts';
import { normalizationTable } from '../../src/ops/normalize.ts';

const f = Math.fround;

/** cifar.py's arithmetic spelled out per pixel: mix += w·p (float32), out = (1 − m)·p + m·mix. */
function naive(base: Uint8Array, chains: Uint8Array[], ws: number[], m: number, table: Float32Array, channels: number): Float32Array {
  const out = new Float32Array(base.length);
  for (let j = 0; j < base.length; j++) {
    const c = j % channels;
    let mix = 0;
    chains.forEach((ch, i) => (mix = f(mix + f(ws[i]! * table[c * 256 + ch[j]!]!))));
    out[j] = f(f(f(1 - m) * table[c * 256 + base[j]!]!) + f(m * mix));
  }
  return out;
}

describe('mixInto', () => {
  it.each([
    [3, 3, f(0.3719)],
    [2, 3, f(0.3719)],
    [4, 1, f(0.3719)],
    // A replayed m need not be a float32 value: then m·mix is a double product, rounded once.
    [3, 3, 0.3719],
    [2, 3, 0.3719],
  ])('equals the per-pixel float32 formula bit for bit (width %i, %i channels, m = %f)', (width, channels, m) => {
    const n = 32 * 32 * channels;
    const rand = (k: number) => Uint8Array.from({ length: n }, (_, i) => (Math.imul(i + 7 * k, 2654435761) >>> 23) & 255);
    const base = rand(0);
    const chains = Array.from({ length: width }, (_, i) => rand(i + 1));
    const ws = Array.from({ length: width }, (_, i) => f((i + 1) / ((width * (width + 1)) / 2)));
    const table = normalizationTable(new Array(channels).fill(0.5), new Array(channels).fill(0.5));
    const scaled = new Float32Array(table.length * (width + 1));
    ws.forEach((w, i) => table.forEach((t, k) => (scaled[i * table.length + k] = w * t)));
    table.forEach((t, k) => (scaled[width * table.length + k] = f(1 - m) * t));
    const out = new Float32Array(n);
    mixInto(base, chains, width, scaled, m, out, channels);
    expect(out).toEqual(naive(base, chains, ws, m, table, channels));
  });
});
