import type { Image } from './image.ts';

/**
 * A lookup table for brightness and contrast, which are per-value maps once their degenerate is
 * known, applied as Pillow's `Image.point(lut)`. Module scratch reused by every call, so the
 * kernels allocate nothing; kernels are synchronous, so sharing is safe. (Autocontrast and
 * equalize build and apply their tables in WebAssembly: wasm/lut.c.)
 */

/** LUT scratch: `LUT[v]` is the output for value v. */
export const LUT = new Uint8Array(256);

/** dst = LUT[src] for every sample. `dst` may be `src`. */
export function applySharedLut(src: Image, dst: Image): void {
  const s = src.data;
  const d = dst.data;
  for (let i = 0; i < s.length; i++) d[i] = LUT[s[i]!]!;
}
