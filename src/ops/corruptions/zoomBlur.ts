import type { Image } from '../image.ts';
import { roundHalfEven } from '../roundHalfEven.ts';
import { unitFloat32, type SyncCorruption, type Severity } from './corruption.ts';
import { ImageMemo } from './imageMemo.ts';
import { SEVERITY_CONSTANTS, type CorruptionPreset } from './presets.ts';

const { ceil, floor, fround } = Math;

/**
 * The zoom factors of `np.arange(1, stop, step)` as numpy computes them: length
 * `ceil((stop - 1) / step)` and values `1 + i * ((1 + step) - 1)`. Float rounding puts the stop
 * itself in some ranges (CIFAR's first two: 7 and 12 factors) and not in others (16, 21, 26).
 */
export function zoomFactors(severity: Severity, preset: CorruptionPreset): number[] {
  const { stop, step } = SEVERITY_CONSTANTS[preset].zoom_blur[severity - 1]!;
  const n = ceil((stop - 1) / step);
  const second = 1 + step;
  const delta = second - 1;
  return Array.from({ length: n }, (_, i) => (i === 0 ? 1 : i === 1 ? second : 1 + i * delta));
}

/**
 * Per output index along one axis of the clipped zoom: the source indices below and above (the
 * same where the position is whole) and scipy's order-1 weights, w0 = 1 - t and w1 = 1 - w0.
 */
interface AxisMap {
  readonly lo: Int32Array;
  readonly hi: Int32Array;
  readonly w0: Float64Array;
  readonly w1: Float64Array;
}

/**
 * One axis of the original's `clipped_zoom`: crop `ceil(side / z)` centred (top = (side - ch) // 2),
 * `scipy.ndimage.zoom(order=1)` to `round(ch * z)` (source coordinate k * (ch - 1) / (out - 1)),
 * then keep `side` values from `(out - side) // 2`. Returned as absolute source indices.
 */
function axisMap(side: number, z: number): AxisMap {
  const ch = ceil(side / z);
  const top = (side - ch) >> 1;
  const out = roundHalfEven(ch * z);
  const zoom = out > 1 ? (ch - 1) / (out - 1) : 1;
  const trim = (out - side) >> 1;
  const lo = new Int32Array(side);
  const hi = new Int32Array(side);
  const w0 = new Float64Array(side);
  const w1 = new Float64Array(side);
  for (let k = 0; k < side; k++) {
    const cc = (k + trim) * zoom;
    let s = floor(cc);
    if (s > ch - 1) s = ch - 1;
    const t = cc - s;
    lo[k] = top + s;
    hi[k] = t === 0 ? top + s : top + s + 1;
    w0[k] = 1 - t;
    w1[k] = 1 - w0[k]!;
  }
  return { lo, hi, w0, w1 };
}

const maps = new Map<string, AxisMap[]>();
const axisMaps = new Map<string, AxisMap>();
function cachedAxisMap(side: number, z: number): AxisMap {
  const key = `${side}/${z}`;
  let m = axisMaps.get(key);
  if (!m) axisMaps.set(key, (m = axisMap(side, z)));
  return m;
}

/**
 * The original's `clipped_zoom(x, z)` on an HWC float array (one channel or more), in double:
 * centre crop, scipy's order-1 zoom, centre trim; `out` gets the result (not stored as float32).
 */
export function clippedZoom(x: Float64Array | Float32Array, w: number, h: number, ch: number, z: number, out: Float64Array): void {
  zoomWithMaps(x, w, h, ch, cachedAxisMap(h, z), cachedAxisMap(w, z), out);
}

/**
 * The clipped zoom by the two axis maps into `out` (a float32 `out` rounds each value): scipy's term
 * order (y0, x0), (y0, x1), (y1, x0), (y1, x1), each value * wy * wx, in double.
 */
function zoomWithMaps(x: Float64Array | Float32Array, w: number, h: number, ch: number, my: AxisMap, mx: AxisMap, out: Float64Array | Float32Array): void {
  for (let yy = 0; yy < h; yy++) {
    const r0 = my.lo[yy]! * w;
    const r1 = my.hi[yy]! * w;
    const wy0 = my.w0[yy]!;
    const wy1 = my.w1[yy]!;
    for (let xx = 0; xx < w; xx++) {
      const wx0 = mx.w0[xx]!;
      const wx1 = mx.w1[xx]!;
      const a = (r0 + mx.lo[xx]!) * ch;
      const b = (r0 + mx.hi[xx]!) * ch;
      const c = (r1 + mx.lo[xx]!) * ch;
      const d = (r1 + mx.hi[xx]!) * ch;
      const o = (yy * w + xx) * ch;
      if (ch === 3) {
        out[o] = x[a]! * wy0 * wx0 + x[b]! * wy0 * wx1 + x[c]! * wy1 * wx0 + x[d]! * wy1 * wx1;
        out[o + 1] = x[a + 1]! * wy0 * wx0 + x[b + 1]! * wy0 * wx1 + x[c + 1]! * wy1 * wx0 + x[d + 1]! * wy1 * wx1;
        out[o + 2] = x[a + 2]! * wy0 * wx0 + x[b + 2]! * wy0 * wx1 + x[c + 2]! * wy1 * wx0 + x[d + 2]! * wy1 * wx1;
        continue;
      }
      for (let k = 0; k < ch; k++) out[o + k] = x[a + k]! * wy0 * wx0 + x[b + k]! * wy0 * wx1 + x[c + k]! * wy1 * wx0 + x[d + k]! * wy1 * wx1;
    }
  }
}

/**
 * What an RGB image's severities share (see `zoomBlur`): its float32 values, its float32-rounded
 * clipped zooms by zoom factor, and the running float32 sum of the zooms by the factors in
 * `summed`, in that order.
 */
const memo = new ImageMemo();
interface Shared {
  readonly x: Float32Array;
  readonly zooms: Map<number, Float32Array>;
  readonly acc: Float32Array;
  readonly summed: number[];
}

// The previous image's buffers, reused for the next (26 zooms an image on CIFAR would otherwise
// be garbage to collect).
let previous: Shared | null = null;
const spare: Float32Array[] = [];

function shared(img: Image): Shared {
  memo.see(img);
  const s = img.data;
  return memo.get('zoom', () => {
    const reuse = previous !== null && previous.x.length === s.length ? previous : null;
    if (reuse) for (const z of reuse.zooms.values()) spare.push(z);
    else spare.length = 0;
    const x = reuse ? reuse.x : new Float32Array(s.length);
    for (let i = 0; i < s.length; i++) x[i] = fround(s[i]! / 255);
    const acc = reuse ? reuse.acc.fill(0) : new Float32Array(s.length);
    previous = { x, zooms: new Map(), acc, summed: [] };
    return previous;
  });
}

/** Brings the running sum to the zooms by `factors` (continuing it when it summed a prefix of them). */
function sumZooms(z: Shared, factors: readonly number[], w: number, h: number, m: readonly AxisMap[]): Float32Array {
  const { x, acc, zooms, summed } = z;
  if (summed.length > factors.length || summed.some((f, i) => f !== factors[i])) {
    acc.fill(0);
    summed.length = 0;
  }
  for (let f = summed.length; f < factors.length; f++) {
    let zoomed = zooms.get(factors[f]!);
    if (!zoomed) zoomWithMaps(x, w, h, 3, m[2 * f]!, m[2 * f + 1]!, (zoomed = spare.pop() ?? new Float32Array(x.length)));
    zooms.set(factors[f]!, zoomed);
    for (let i = 0; i < acc.length; i++) acc[i] = acc[i]! + zoomed[i]!;
    summed.push(factors[f]!);
  }
  return acc;
}

/**
 * The average of the image and its zooms by each factor (centre crop, bilinear), in float32 as the
 * original accumulates it. Deterministic.
 */
export const zoomBlur: SyncCorruption = {
  name: 'zoom_blur',
  fidelity: "same factors (arange endpoints included), scipy's order-1 zoom and float32 accumulation",
  apply(src: Image, dst: Uint8Array, severity: Severity, preset: CorruptionPreset): void {
    const { width: w, height: h, channels: ch } = src;
    const factors = zoomFactors(severity, preset);
    const key = `${w}x${h}${preset}${severity}`;
    let m = maps.get(key);
    if (!m) maps.set(key, (m = factors.flatMap((z) => [axisMap(h, z), axisMap(w, z)])));
    const s = src.data;
    const n = s.length;
    let x: Float32Array;
    let acc: Float32Array;
    if (ch === 3) {
      // The severities of one image share most of their factors, and corruptChunk runs them one
      // after another: each zoom is computed once per image, and the original's sum (zeros, then
      // += each zoom in turn) continues from the previous severity's wherever its factors are a
      // prefix of this one's (all of CIFAR's).
      const z = shared(src);
      x = z.x;
      acc = sumZooms(z, factors, w, h, m);
    } else {
      x = unitFloat32(s);
      acc = new Float32Array(n);
      const zoomed = new Float64Array(n);
      for (let f = 0; f < factors.length; f++) {
        zoomWithMaps(x, w, h, ch, m[2 * f]!, m[2 * f + 1]!, zoomed);
        // The original adds each zoom, rounded to float32, into a float32 sum.
        for (let i = 0; i < n; i++) acc[i] = acc[i]! + fround(zoomed[i]!);
      }
    }
    const div = factors.length + 1;
    for (let i = 0; i < n; i++) {
      const v = fround(fround(x[i]! + acc[i]!) / div);
      dst[i] = v < 0 ? 0 : v > 1 ? 255 : fround(v * 255);
    }
  },
};
