/**
 * `Image.blend(degenerate, img, f)` as Pillow 9.4's Blend.c computes it; the four
 * ImageEnhance ops are this with different degenerate images.
 *
 * C does `(UINT8)((int)in1 + alpha * ((int)in2 - (int)in1))` in float arithmetic, with alpha
 * a C float. Each float op is emulated as a double op then Math.fround, which is exact here
 * (double rounding is harmless for +, * of floats). When alpha is outside [0, 1] the float
 * result is clipped first (`<= 0 -> 0`, `>= 255 -> 255`). Pillow's copy shortcuts for alpha 0
 * and 1 give the same values as the formula, so they need no branch here.
 */

// A module-level alias: inside vm contexts (jest) each `Math.x` in a hot loop is a slow
// global lookup through the context's interceptor (sharpness ran ~100x slower under jest).
const fround = Math.fround;

let scratch = new Uint8Array(0);

/**
 * A module scratch buffer of at least `length` bytes for a degenerate image (grown when
 * needed, never shrunk), so the enhance kernels allocate nothing per call in steady state.
 * Valid until the next call.
 */
export function degenerateScratch(length: number): Uint8Array {
  if (scratch.length < length) scratch = new Uint8Array(length);
  return scratch;
}

/** True when Pillow takes Blend.c's clipping branch for this (already fround-ed) alpha. */
export function extrapolates(alpha: number): boolean {
  return !(alpha >= 0 && alpha <= 1);
}

/**
 * One blended sample.
 * @param deg the degenerate sample, an integer in [0, 255].
 * @param img the image sample, an integer in [0, 255].
 * @param alpha the factor already rounded to float: `fround(f)`.
 * @param extrapolate `extrapolates(alpha)`, hoisted by the caller.
 * @returns a value the caller stores into a Uint8Array, whose truncation is the C cast.
 */
export function blendSample(deg: number, img: number, alpha: number, extrapolate: boolean): number {
  const t = fround(deg + fround(alpha * (img - deg)));
  if (!extrapolate) return t;
  return t <= 0 ? 0 : t >= 255 ? 255 : t;
}

/**
 * `out[i] = blend(deg[i], img[i])` for every i < img.length (deg may be longer: a scratch
 * buffer). `out` may be `img`.
 * @param f the enhance factor, any finite number; rounded to float as Pillow's C code does.
 */
export function blendInto(deg: Uint8Array, img: Uint8Array, out: Uint8Array, f: number): void {
  const a = fround(f);
  const ext = extrapolates(a);
  for (let i = 0; i < img.length; i++) out[i] = blendSample(deg[i]!, img[i]!, a, ext);
}
