// Module-level aliases: inside jest's vm context each `Math.x` in a hot loop is a slow global lookup.
const { exp, trunc } = Math;

/** Boundary handling of scipy.ndimage: `nearest` repeats the edge, `reflect` mirrors about it (d c b a | a b c d). */
export type BoundaryMode = 'nearest' | 'reflect';

/**
 * numpy's pairwise summation (`pairwise_sum` in loops_utils.h) of a contiguous float64 array,
 * so normalising a kernel gives numpy's exact doubles.
 */
export function pairwiseSum(a: Float64Array, start = 0, n = a.length): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[start + i]!;
    return res;
  }
  if (n <= 128) {
    const r = new Float64Array(8);
    for (let j = 0; j < 8; j++) r[j] = a[start + j]!;
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j] = r[j]! + a[start + i + j]!;
    let res = r[0]! + r[1]! + (r[2]! + r[3]!) + (r[4]! + r[5]! + (r[6]! + r[7]!));
    for (; i < n; i++) res += a[start + i]!;
    return res;
  }
  let n2 = n >> 1;
  n2 -= n2 % 8;
  return pairwiseSum(a, start, n2) + pairwiseSum(a, start + n2, n - n2);
}

/** scipy 1.10's `_gaussian_kernel1d(sigma, 0, radius)` with radius `int(truncate * sigma + 0.5)`, centre first half included. */
export function gaussianKernel(sigma: number, truncate: number): Float64Array {
  const radius = trunc(truncate * sigma + 0.5);
  const w = new Float64Array(2 * radius + 1);
  const k = -0.5 / (sigma * sigma);
  for (let i = -radius; i <= radius; i++) w[i + radius] = exp(k * (i * i));
  const sum = pairwiseSum(w);
  for (let i = 0; i < w.length; i++) w[i] = w[i]! / sum;
  return w;
}

function boundary(i: number, n: number, mode: BoundaryMode): number {
  if (mode === 'nearest') return i < 0 ? 0 : i >= n ? n - 1 : i;
  // Half-sample symmetric, periodic with period 2n.
  const p = 2 * n;
  let j = i % p;
  if (j < 0) j += p;
  return j < n ? j : p - 1 - j;
}

let LINE = new Float64Array(0);
const kernels = new Map<string, Float64Array>();

/**
 * scipy.ndimage's `correlate1d` with a symmetric kernel along one axis of a float64 array viewed as
 * `count` lines of `n` values `step` apart, lines starting at `starts(l)`: in place. The sum runs in
 * scipy's order (centre term, then each mirrored pair from the outside in), so results match to the bit.
 */
function filterLines(
  a: Float64Array | Float32Array,
  n: number,
  step: number,
  lines: number,
  lineStart: (l: number) => number,
  w: Float64Array,
  mode: BoundaryMode,
): void {
  const r = (w.length - 1) >> 1;
  if (LINE.length < n + 2 * r) LINE = new Float64Array(n + 2 * r);
  const line = LINE;
  for (let l = 0; l < lines; l++) {
    const s0 = lineStart(l);
    for (let i = 0; i < n; i++) line[i + r] = a[s0 + i * step]!;
    for (let i = 1; i <= r; i++) {
      line[r - i] = a[s0 + boundary(-i, n, mode) * step]!;
      line[n + r - 1 + i] = a[s0 + boundary(n - 1 + i, n, mode) * step]!;
    }
    const wc = w[r]!;
    let i = 0;
    // Four outputs at a time: four independent sums the CPU overlaps, each in scipy's order.
    for (; i + 4 <= n; i += 4) {
      const c = i + r;
      let t0 = line[c]! * wc;
      let t1 = line[c + 1]! * wc;
      let t2 = line[c + 2]! * wc;
      let t3 = line[c + 3]! * wc;
      for (let j = r; j > 0; j--) {
        const wj = w[r - j]!;
        t0 += (line[c - j]! + line[c + j]!) * wj;
        t1 += (line[c + 1 - j]! + line[c + 1 + j]!) * wj;
        t2 += (line[c + 2 - j]! + line[c + 2 + j]!) * wj;
        t3 += (line[c + 3 - j]! + line[c + 3 + j]!) * wj;
      }
      const o = s0 + i * step;
      a[o] = t0;
      a[o + step] = t1;
      a[o + 2 * step] = t2;
      a[o + 3 * step] = t3;
    }
    for (; i < n; i++) {
      const c = i + r;
      let t = line[c]! * wc;
      for (let j = r; j > 0; j--) t += (line[c - j]! + line[c + j]!) * w[r - j]!;
      a[s0 + i * step] = t;
    }
  }
}

/**
 * scikit-image 0.19's `gaussian(x, sigma, multichannel=True, mode, truncate)` on a float64 HWC
 * array, in place: scipy's `gaussian_filter` along axis 0 (rows), then axis 1, never across
 * channels. A sigma of 0 leaves the array as it is (scipy skips such axes). On a Float32Array each
 * axis's result is stored as float32, as scipy does for a float32 image (sums still in double).
 */
export function gaussianFilter(
  a: Float64Array | Float32Array,
  width: number,
  height: number,
  channels: number,
  sigma: number,
  mode: BoundaryMode = 'nearest',
  truncate = 4,
): void {
  if (!(sigma > 1e-15)) return;
  const key = `${sigma}/${truncate}`;
  let w = kernels.get(key);
  if (!w) kernels.set(key, (w = gaussianKernel(sigma, truncate)));
  // A one-tap kernel is [1]: every value times 1, exactly itself.
  if (w.length === 1) return;
  const row = width * channels;
  // Axis 0: one line per (x, c), values a row apart.
  filterLines(a, height, row, row, (l) => l, w, mode);
  // Axis 1: one line per (y, c), values a pixel apart.
  filterLines(a, width, channels, height * channels, (l) => ((l / channels) | 0) * row + (l % channels), w, mode);
}
