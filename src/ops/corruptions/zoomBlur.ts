import type { Image } from '../image.ts';
import { roundHalfEven } from '../roundHalfEven.ts';
import type { SyncCorruption, Severity } from './corruption.ts';
import type { ByPreset, CorruptionPreset } from './presets.ts';

const { ceil, floor, fround } = Math;

// Per-severity (stop, step) of `np.arange(1, stop, step)` in each generator.
const ZOOMS: ByPreset<readonly (readonly [number, number])[]> = {
  cifar: [
    [1.06, 0.01],
    [1.11, 0.01],
    [1.16, 0.01],
    [1.21, 0.01],
    [1.26, 0.01],
  ],
  'tiny-imagenet': [
    [1.06, 0.01],
    [1.11, 0.01],
    [1.16, 0.01],
    [1.21, 0.01],
    [1.26, 0.01],
  ],
  imagenet: [
    [1.11, 0.01],
    [1.16, 0.01],
    [1.21, 0.02],
    [1.26, 0.02],
    [1.31, 0.03],
  ],
};

/**
 * The zoom factors of `np.arange(1, stop, step)` as numpy computes them: length
 * `ceil((stop - 1) / step)` and values `1 + i * ((1 + step) - 1)`. Float rounding puts the stop
 * itself in some ranges (CIFAR's first two: 7 and 12 factors) and not in others (16, 21, 26).
 */
export function zoomFactors(severity: Severity, preset: CorruptionPreset): number[] {
  const [stop, step] = ZOOMS[preset][severity - 1]!;
  const n = ceil((stop - 1) / step);
  const second = 1 + step;
  const delta = second - 1;
  return Array.from({ length: n }, (_, i) => (i === 0 ? 1 : i === 1 ? second : 1 + i * delta));
}

/** Per output index along one axis of the clipped zoom: the source index below and the linear weight. */
interface AxisMap {
  readonly lo: Int32Array;
  readonly t: Float64Array;
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
  const t = new Float64Array(side);
  for (let k = 0; k < side; k++) {
    const cc = (k + trim) * zoom;
    let s = floor(cc);
    if (s > ch - 1) s = ch - 1;
    lo[k] = top + s;
    t[k] = cc - s;
  }
  return { lo, t };
}

const maps = new Map<string, AxisMap[]>();

/**
 * The original's `clipped_zoom(x, z)` on an HWC float array (one channel or more), in double:
 * centre crop, scipy's order-1 zoom, centre trim; `out` gets the result (not stored as float32).
 */
export function clippedZoom(x: Float64Array | Float32Array, w: number, h: number, ch: number, z: number, out: Float64Array): void {
  zoomWithMaps(x, w, h, ch, axisMap(h, z), axisMap(w, z), out);
}

/** `clippedZoom` with its two axis maps already built (zoom_blur reuses them across images). */
function zoomWithMaps(x: Float64Array | Float32Array, w: number, h: number, ch: number, my: AxisMap, mx: AxisMap, out: Float64Array): void {
  for (let yy = 0; yy < h; yy++) {
    const y0 = my.lo[yy]!;
    const ty = my.t[yy]!;
    const y1 = ty === 0 ? y0 : y0 + 1;
    // scipy's spline weights for order 1: w0 = 1 - t, and the last weight is 1 minus the others.
    const wy0 = 1 - ty;
    const wy1 = 1 - wy0;
    for (let xx = 0; xx < w; xx++) {
      const x0 = mx.lo[xx]!;
      const tx = mx.t[xx]!;
      const x1 = tx === 0 ? x0 : x0 + 1;
      const wx0 = 1 - tx;
      const wx1 = 1 - wx0;
      const a = (y0 * w + x0) * ch;
      const b = (y0 * w + x1) * ch;
      const c = (y1 * w + x0) * ch;
      const d = (y1 * w + x1) * ch;
      const o = (yy * w + xx) * ch;
      // scipy's term order: (y0, x0), (y0, x1), (y1, x0), (y1, x1), each value * wy * wx.
      for (let k = 0; k < ch; k++) out[o + k] = x[a + k]! * wy0 * wx0 + x[b + k]! * wy0 * wx1 + x[c + k]! * wy1 * wx0 + x[d + k]! * wy1 * wx1;
    }
  }
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
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = fround(s[i]! / 255);
    const acc = new Float32Array(n);
    const zoomed = new Float64Array(n);
    for (let f = 0; f < factors.length; f++) {
      zoomWithMaps(x, w, h, ch, m[2 * f]!, m[2 * f + 1]!, zoomed);
      // The original adds each zoom, rounded to float32, into a float32 sum.
      for (let i = 0; i < n; i++) acc[i] = acc[i]! + fround(zoomed[i]!);
    }
    const div = factors.length + 1;
    for (let i = 0; i < n; i++) {
      const v = fround(fround(x[i]! + acc[i]!) / div);
      dst[i] = v < 0 ? 0 : v > 1 ? 255 : fround(v * 255);
    }
  },
};
