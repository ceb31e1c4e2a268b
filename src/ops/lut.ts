import type { Image } from './image.ts';

/**
 * Per-channel histograms and lookup tables for the LUT ops (autocontrast, equalize; also
 * brightness and contrast, which are per-value maps once their degenerate is known), as in
 * Pillow's `Image.histogram()` and `Image.point(lut)`. Both tables are module scratch reused by
 * every call, so the kernels allocate nothing; kernels are synchronous, so sharing is safe.
 * Up to 4 channels; the ops use 1 (L) or 3 (RGB).
 */

/** Histogram scratch: `HIST[c * 256 + v]` counts value v in channel c. */
export const HIST = new Int32Array(256 * 4);

/** LUT scratch: `LUT[c * 256 + v]` is the output for value v in channel c. */
export const LUT = new Uint8Array(256 * 4);

/** Fills `HIST` with the per-channel histograms of `img` and returns it. */
export function channelHistograms(img: Image): Int32Array {
  const ch = img.channels;
  const s = img.data;
  HIST.fill(0, 0, 256 * ch);
  if (ch === 3) {
    // One interleaved pass: about twice as fast as three strided passes (measured, 32x32 RGB).
    for (let i = 0; i < s.length; i += 3) {
      HIST[s[i]!]!++;
      HIST[256 + s[i + 1]!]!++;
      HIST[512 + s[i + 2]!]!++;
    }
    return HIST;
  }
  for (let c = 0; c < ch; c++) {
    const base = c * 256;
    for (let i = c; i < s.length; i += ch) HIST[base + s[i]!]!++;
  }
  return HIST;
}

/** Sets channel `c` of `LUT` to the identity (Pillow's "don't bother" branch). */
export function identityLut(c: number): void {
  for (let v = 0; v < 256; v++) LUT[c * 256 + v] = v;
}

/** dst = LUT[src] with channel 0's table for every sample. `dst` may be `src`. */
export function applySharedLut(src: Image, dst: Image): void {
  const s = src.data;
  const d = dst.data;
  for (let i = 0; i < s.length; i++) d[i] = LUT[s[i]!]!;
}

/** dst = LUT[c][src] per channel. `dst` may be `src`. */
export function applyChannelLuts(src: Image, dst: Image): void {
  const ch = src.channels;
  const s = src.data;
  const d = dst.data;
  if (ch === 3) {
    for (let i = 0; i < s.length; i += 3) {
      d[i] = LUT[s[i]!]!;
      d[i + 1] = LUT[256 + s[i + 1]!]!;
      d[i + 2] = LUT[512 + s[i + 2]!]!;
    }
    return;
  }
  for (let c = 0; c < ch; c++) {
    const base = c * 256;
    for (let i = c; i < s.length; i += ch) d[i] = LUT[base + s[i]!]!;
  }
}
