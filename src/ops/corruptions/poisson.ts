import type { Rng } from '../rng.ts';

// Module-level aliases: inside jest's vm context each `Math.x` in a hot loop is a slow global lookup.
const { exp, log, sqrt, floor, abs, PI } = Math;

/** What a Poisson(lam) draw needs besides uniforms: worked out once per lam (a shot-noise image has 256). */
export interface PoissonParams {
  readonly lam: number;
  /** exp(-lam), for the multiplication method. */
  readonly enlam: number;
  readonly loglam: number;
  readonly b: number;
  readonly a: number;
  readonly logInvalpha: number;
  readonly vr: number;
}

/** The constants of numpy's `random_poisson` for `lam`. */
export function poissonParams(lam: number): PoissonParams {
  const slam = sqrt(lam);
  const b = 0.931 + 2.53 * slam;
  return {
    lam,
    enlam: exp(-lam),
    loglam: log(lam),
    b,
    a: -0.059 + 0.02483 * b,
    logInvalpha: log(1.1239 + 1.1328 / (b - 3.4)),
    vr: 0.9277 - 3.6224 / (b - 2),
  };
}

/**
 * A Poisson(lam) draw by numpy's algorithms (`random_poisson` in numpy/random/src/distributions):
 * the multiplication method for lam < 10, Hörmann's transformed rejection (PTRS, 1993) above.
 * Same distribution as `np.random.poisson`; the uniforms are 32-bit draws from `rng`.
 */
export function poissonDraw(rng: Rng, p: PoissonParams): number {
  const lam = p.lam;
  if (lam >= 10) return ptrs(rng, p);
  if (lam === 0) return 0;
  let k = 0;
  let prod = 1;
  for (;;) {
    prod *= rng.uniform32();
    if (prod > p.enlam) k++;
    else return k;
  }
}

function ptrs(rng: Rng, p: PoissonParams): number {
  const { lam, loglam, b, a, logInvalpha, vr } = p;
  for (;;) {
    const u = rng.uniform32() - 0.5;
    const v = rng.uniform32();
    const us = 0.5 - abs(u);
    const k = floor(((2 * a) / us + b) * u + lam + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (log(v) + logInvalpha - log(a / (us * us) + b) <= -lam + k * loglam - logFactorial(k)) return k;
  }
}

// log(k!) for the k that shot noise meets (lam up to 500 and a few sd beyond), filled on first use.
const FACTORIALS = new Float64Array(1024).fill(NaN);

/** `logGamma(k + 1)`, from a table below 1024. */
function logFactorial(k: number): number {
  if (k >= FACTORIALS.length) return logGamma(k + 1);
  let v = FACTORIALS[k]!;
  if (v !== v) FACTORIALS[k] = v = logGamma(k + 1);
  return v;
}

const STIRLING = [
  8.333333333333333e-2, -2.777777777777778e-3, 7.936507936507937e-4, -5.952380952380952e-4, 8.417508417508418e-4, -1.917526917526918e-3, 6.41025641025641e-3,
  -2.955065359477124e-2, 1.796443723688307e-1, -1.3924322169059,
];

/** log Gamma(x) for x > 0, numpy's `random_loggam` (Stirling series after shifting x up to 7). */
export function logGamma(x: number): number {
  if (x === 1 || x === 2) return 0;
  const n = x < 7 ? floor(7 - x) : 0;
  let x0 = x + n;
  const x2 = (1 / x0) * (1 / x0);
  let gl0 = STIRLING[9]!;
  for (let k = 8; k >= 0; k--) gl0 = gl0 * x2 + STIRLING[k]!;
  let gl = gl0 / x0 + 0.5 * log(2 * PI) + (x0 - 0.5) * log(x0) - x0;
  for (let k = 1; k <= n; k++) {
    gl -= log(x0 - 1);
    x0 -= 1;
  }
  return gl;
}
