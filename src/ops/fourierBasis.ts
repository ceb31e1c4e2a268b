/**
 * Fourier-basis matrices U(k) (Soklaski et al. 2021, Eq. 1; Yin et al. 2019):
 * U[y*W + x] = A cos(2π (kx x / W + ky y / H) − φ), with A chosen so that ||U||_2 = norm.
 *
 * Phase convention: `phase` is the paper's φ, subtracted inside the cosine. The authors' code
 * (responsible-ai-toolbox) adds π/4 + 2π·factor instead; `toolboxPhase(factor)` converts.
 */
export interface FourierBasisSpec {
  readonly height: number;
  readonly width: number;
  /** Wave-vector component along the width (x), any integer; taken modulo `width`. */
  readonly kx: number;
  /** Wave-vector component along the height (y), any integer; taken modulo `height`. */
  readonly ky: number;
  /** φ in radians, paper convention (cos(θ − φ)). */
  readonly phase: number;
  /** Requested Frobenius norm of U. */
  readonly norm: number;
}

/**
 * Below this root-mean-square amplitude (before scaling) a wave is all zeros up to rounding
 * (e.g. sin at the Nyquist frequency on the integer grid): it has no defined scaling, and we
 * return the zero matrix rather than amplified rounding noise or NaN.
 */
const ZERO_WAVE_RMS = 1e-10;

/** The paper-convention φ equivalent to the toolbox's cos(θ + π/4 + 2π·factor). */
export function toolboxPhase(factor: number): number {
  return -(Math.PI / 4 + 2 * Math.PI * factor);
}

/** U(k) as a new Float32Array, row-major (index y*width + x). */
export function fourierBasis(spec: FourierBasisSpec): Float32Array {
  const out = new Float32Array(spec.height * spec.width);
  fourierBasisInto(spec, out);
  return out;
}

/**
 * Writes U(k) into `out` (length height*width). The argument is reduced with integer arithmetic
 * (kx x H + ky y W mod HW) before the cosine, so large k·r loses no precision and the wave is
 * exactly periodic.
 */
export function fourierBasisInto(spec: FourierBasisSpec, out: Float32Array | Float64Array): void {
  const { height: h, width: w, phase, norm } = spec;
  const kx = mod(spec.kx, w);
  const ky = mod(spec.ky, h);
  const period = h * w;
  const values = new Float64Array(period);
  let sumSq = 0;
  for (let y = 0; y < h; y++) {
    const rowTerm = (ky * y * w) % period;
    for (let x = 0; x < w; x++) {
      const n = (rowTerm + ((kx * x * h) % period)) % period;
      const v = Math.cos((2 * Math.PI * n) / period - phase);
      values[y * w + x] = v;
      sumSq += v * v;
    }
  }
  const rms = Math.sqrt(sumSq / period);
  const scale = rms < ZERO_WAVE_RMS ? 0 : norm / Math.sqrt(sumSq);
  for (let i = 0; i < period; i++) out[i] = values[i]! * scale;
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}
