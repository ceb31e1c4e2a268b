/**
 * Correctly rounded sin and cos, for the rotate matrix.
 *
 * Why not Math.sin/Math.cos: Pillow builds the rotate matrix from `round(math.cos(θ), 15)` etc.
 * V8's fdlibm port and glibc disagree in the last bit for ~3% of angles, and after the
 * rounding ~0.5% of angles (e.g. 194° and 216°) still get a matrix 1e-15 off. That changes no
 * pixel of even-sized images in practice, but on odd-sized ones the centre pixel lands exactly
 * on a sample boundary: 179 of 7,200 test rotations at such angles differed by one grey level.
 * So we evaluate in double-double arithmetic (~100 bits) and round once to the nearest double.
 * glibc agrees except where it is itself misrounded (~0.016% of float angles, e.g. 188.2°;
 * no integer, half or quarter degree): see test/ops/primitives.test.ts.
 *
 * Double-double results travel through the module registers `H`/`L` so that nothing is
 * allocated per call.
 */

let H = 0;
let L = 0;

/** H + L = a + b exactly. */
function twoSum(a: number, b: number): void {
  const s = a + b;
  const bb = s - a;
  L = a - (s - bb) + (b - bb);
  H = s;
}

/** H + L = a * b exactly (Dekker's split; JS has no fma). */
function twoProd(a: number, b: number): void {
  const p = a * b;
  let t = 134217729 * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = 134217729 * b;
  const bh = t - (t - b);
  const bl = b - bh;
  L = ah * bh - p + ah * bl + al * bh + al * bl;
  H = p;
}

/** (H, L) = (ah, al) + (bh, bl), accurate to ~2^-104 relative. */
function ddAdd(ah: number, al: number, bh: number, bl: number): void {
  twoSum(ah, bh);
  const s1 = H;
  let s2 = L;
  twoSum(al, bl);
  const t2 = L;
  s2 += H;
  const h = s1 + s2;
  s2 = s2 - (h - s1) + t2;
  H = h + s2;
  L = s2 - (H - h);
}

/** (H, L) = (ah, al) * (bh, bl). */
function ddMul(ah: number, al: number, bh: number, bl: number): void {
  twoProd(ah, bh);
  const p = H;
  const e = L + (ah * bl + al * bh);
  H = p + e;
  L = e - (H - p);
}

const TERMS = 15;
/** (-1)^n / k! as double-double, for k = 2n (cos) and 2n+1 (sin), n < TERMS; exact via BigInt. */
const COS_C = new Float64Array(2 * TERMS);
const SIN_C = new Float64Array(2 * TERMS);
{
  const scale = 2n ** 300n;
  let fact = 1n;
  for (let k = 0; k < 2 * TERMS; k++) {
    if (k > 0) fact *= BigInt(k);
    const q = scale / fact;
    const hi = Number(q);
    const lo = Number(q - BigInt(hi));
    const sign = Math.floor(k / 2) % 2 === 0 ? 1 : -1;
    const table = k % 2 === 0 ? COS_C : SIN_C;
    const n = Math.floor(k / 2);
    table[2 * n] = sign * hi * 2 ** -300;
    table[2 * n + 1] = sign * lo * 2 ** -300;
  }
}

// π/2 as three doubles (~160 bits), for Cody-Waite reduction.
const PIO2_1 = 1.5707963267948966;
const PIO2_2 = 6.123233995736766e-17;
const PIO2_3 = -1.4973849048591698e-33;

/** Horner over r² with a coefficient table; result in (H, L). */
function series(table: Float64Array, r2h: number, r2l: number): void {
  let sh = table[2 * TERMS - 2]!;
  let sl = table[2 * TERMS - 1]!;
  for (let n = TERMS - 2; n >= 0; n--) {
    ddMul(sh, sl, r2h, r2l);
    ddAdd(H, L, table[2 * n]!, table[2 * n + 1]!);
    sh = H;
    sl = L;
  }
}

/**
 * Writes [sin t, cos t], each the double nearest the exact value, into `out`.
 * @param t angle in radians; accurate for |t| < 2^20 (rotate uses |t| <= 2π).
 */
export function sinCosInto(t: number, out: Float64Array): void {
  if (Math.abs(t) < 2 ** -27) {
    // sin t = t(1 - t²/6) and cos t = 1 - t²/2 both round to these here.
    out[0] = t;
    out[1] = 1;
    return;
  }
  const k = Math.round(t * (2 / Math.PI));
  twoProd(k, PIO2_1);
  ddAdd(t, 0, -H, -L);
  const rh0 = H;
  const rl0 = L;
  twoProd(k, PIO2_2);
  ddAdd(rh0, rl0, -H, -L - k * PIO2_3);
  const rh = H;
  const rl = L;
  ddMul(rh, rl, rh, rl);
  const r2h = H;
  const r2l = L;
  series(SIN_C, r2h, r2l);
  ddMul(H, L, rh, rl);
  const s = H + L;
  series(COS_C, r2h, r2l);
  const c = H + L;
  switch (((k % 4) + 4) % 4) {
    case 0:
      out[0] = s;
      out[1] = c;
      break;
    case 1:
      out[0] = c;
      out[1] = -s;
      break;
    case 2:
      out[0] = -s;
      out[1] = -c;
      break;
    default:
      out[0] = -c;
      out[1] = s;
  }
}
