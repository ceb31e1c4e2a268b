import type { Image } from '../image.ts';
import type { Rng } from '../rng.ts';
import { unit, type SyncCorruption, type Severity } from './corruption.ts';
import { SEVERITY_CONSTANTS, type CorruptionPreset } from './presets.ts';

/**
 * The original's `plasma_fractal(mapsize, wibbledecay)` (diamond-square with numpy rolls, i.e.
 * wrapping at the edges): a `size` x `size` map (size a power of two) scaled to [0, 1]. Each
 * midpoint is the mean of its four neighbours plus `wibble * U(-wibble, wibble)` (the original's
 * noise is wibble², not wibble); wibble starts at 100 and is divided by `decay` per level. Draws
 * are made in numpy's order (squares, then the two diamond sets, each in C order) from `rng`.
 */
export function plasmaFractal(size: number, decay: number, rng: Rng): Float64Array {
  const map = new Float64Array(size * size);
  let step = size;
  let wibble = 100;
  const at = (y: number, x: number): number => map[(y % size) * size + (x % size)]!;
  const mean = (sum: number): number => sum / 4 + wibble * rng.range(-wibble, wibble);
  while (step >= 2) {
    const half = step >> 1;
    // Squares: centre = mean of the four corners.
    for (let y = 0; y < size; y += step) {
      for (let x = 0; x < size; x += step) {
        const sq = at(y, x) + at(y + step, x) + (at(y, x + step) + at(y + step, x + step));
        map[(y + half) * size + x + half] = mean(sq);
      }
    }
    // Diamonds on the rows of the corners: drgrid[i, j] + drgrid[i - 1, j] + ulgrid[i, j] + ulgrid[i, j + 1].
    for (let y = 0; y < size; y += step) {
      for (let x = 0; x < size; x += step) {
        const dr = at(y + half, x + half) + at(y - half + size, x + half);
        const ul = at(y, x) + at(y, x + step);
        map[y * size + x + half] = mean(dr + ul);
      }
    }
    // Diamonds on the rows of the centres: drgrid[i, j] + drgrid[i, j - 1] + ulgrid[i, j] + ulgrid[i + 1, j].
    for (let y = 0; y < size; y += step) {
      for (let x = 0; x < size; x += step) {
        const dr = at(y + half, x + half) + at(y + half, x - half + size);
        const ul = at(y, x) + at(y + step, x);
        map[(y + half) * size + x] = mean(dr + ul);
      }
    }
    step = half;
    wibble /= decay;
  }
  let min = Infinity;
  for (let i = 0; i < map.length; i++) if (map[i]! < min) min = map[i]!;
  let max = -Infinity;
  for (let i = 0; i < map.length; i++) {
    map[i] = map[i]! - min;
    if (map[i]! > max) max = map[i]!;
  }
  for (let i = 0; i < map.length; i++) map[i] = map[i]! / max;
  return map;
}

/**
 * Adds `c * plasma` to every channel and rescales by `max / (max + c)` (max over the clean image).
 * The map is the image side rounded up to a power of two, at least 32 (CIFAR-10-C's 32,
 * Tiny-ImageNet-C's 64, ImageNet-C's 256), and its corner is cropped to the image.
 */
export const fog: SyncCorruption = {
  name: 'fog',
  fidelity: 'same plasma fractal (map size 32, 64 or 256), constants and rescaling; uniform draws from our Rng',
  apply(src: Image, dst: Uint8Array, severity: Severity, preset: CorruptionPreset, rng: Rng): void {
    const { c, decay } = SEVERITY_CONSTANTS[preset].fog[severity - 1]!;
    const { width: w, height: h, channels: ch } = src;
    let size = 32;
    while (size < w || size < h) size *= 2;
    const plasma = plasmaFractal(size, decay, rng);
    const s = src.data;
    let maxVal = 0;
    for (let i = 0; i < s.length; i++) if (s[i]! / 255 > maxVal) maxVal = s[i]! / 255;
    const scale = maxVal + c;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const p = c * plasma[y * size + x]!;
        const o = (y * w + x) * ch;
        for (let k = 0; k < ch; k++) dst[o + k] = unit(((s[o + k]! / 255 + p) * maxVal) / scale);
      }
    }
  },
};
