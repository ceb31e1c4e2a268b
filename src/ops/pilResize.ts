// Module-level alias: inside jest's vm context each `Math.x` in a hot loop is a slow global lookup.
const trunc = Math.trunc;

/** Pillow's fixed-point precision for 8-bit resampling (Resample.c: 32 - 8 - 2). */
const PRECISION_BITS = 22;
const ONE = 1 << PRECISION_BITS;
const HALF = 1 << (PRECISION_BITS - 1);

interface Coeffs {
  readonly ksize: number;
  readonly bounds: Int32Array;
  readonly kk: Int32Array;
}

/** Pillow's resampling filters used here: BOX and BILINEAR (the triangle). */
export type PilFilter = 'box' | 'bilinear';

const FILTERS: Readonly<Record<PilFilter, { readonly support: number; readonly weight: (x: number) => number }>> = {
  box: { support: 0.5, weight: (x) => (x > -0.5 && x <= 0.5 ? 1 : 0) },
  bilinear: { support: 1, weight: (x) => (x < 0 ? (x > -1 ? 1 + x : 0) : x < 1 ? 1 - x : 0) },
};

const cache = new Map<string, Coeffs>();

/**
 * Pillow 9.4's `precompute_coeffs` and `normalize_coeffs_8bpc` for one filter: per output
 * position, the first input index, the count, and fixed-point weights.
 */
function coeffs(inSize: number, outSize: number, filter: PilFilter): Coeffs {
  const key = `${filter}${inSize}>${outSize}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const { support: base, weight } = FILTERS[filter];
  const scale = inSize / outSize;
  const filterscale = scale < 1 ? 1 : scale;
  const support = base * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const kk = new Int32Array(outSize * ksize);
  const w = new Float64Array(ksize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const ss = 1 / filterscale;
    let xmin = trunc(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      w[x] = weight((x + xmin - center + 0.5) * ss);
      ww += w[x]!;
    }
    for (let x = 0; x < xmax; x++) {
      const k = ww !== 0 ? w[x]! / ww : w[x]!;
      kk[xx * ksize + x] = k < 0 ? trunc(-0.5 + k * ONE) : trunc(0.5 + k * ONE);
    }
    bounds[2 * xx] = xmin;
    bounds[2 * xx + 1] = xmax;
  }
  const made = { ksize, bounds, kk };
  cache.set(key, made);
  return made;
}

const clip8 = (v: number): number => {
  const x = v >> PRECISION_BITS;
  return x < 0 ? 0 : x > 255 ? 255 : x;
};

/**
 * `Image.resize((dw, dh), filter)` of Pillow 9.4 on an 8-bit HWC image: a horizontal pass into an
 * 8-bit intermediate, then a vertical pass, each with Pillow's fixed-point weights and rounding,
 * so results are bit-exact. A side that keeps its size is not resampled, as in Pillow. `dst`
 * holds dw x dh x ch bytes.
 */
export function pilResize(src: Uint8Array, sw: number, sh: number, ch: number, dst: Uint8Array, dw: number, dh: number, filter: PilFilter): void {
  const mid = dw === sw ? src : new Uint8Array(dw * sh * ch);
  if (dw !== sw) {
    const h = coeffs(sw, dw, filter);
    for (let y = 0; y < sh; y++) {
      for (let xx = 0; xx < dw; xx++) {
        const xmin = h.bounds[2 * xx]!;
        const n = h.bounds[2 * xx + 1]!;
        const k = xx * h.ksize;
        const s0 = (y * sw + xmin) * ch;
        const o = (y * dw + xx) * ch;
        if (ch === 3) {
          // The three channels side by side: one pass over the taps.
          let s = HALF;
          let t = HALF;
          let u = HALF;
          for (let x = 0; x < n; x++) {
            const kx = h.kk[k + x]!;
            const i = s0 + 3 * x;
            s += src[i]! * kx;
            t += src[i + 1]! * kx;
            u += src[i + 2]! * kx;
          }
          mid[o] = clip8(s);
          mid[o + 1] = clip8(t);
          mid[o + 2] = clip8(u);
          continue;
        }
        for (let c = 0; c < ch; c++) {
          let ss = HALF;
          for (let x = 0; x < n; x++) ss += src[s0 + x * ch + c]! * h.kk[k + x]!;
          mid[o + c] = clip8(ss);
        }
      }
    }
  }
  if (dh === sh) {
    dst.set(mid.subarray(0, dw * dh * ch));
    return;
  }
  const v = coeffs(sh, dh, filter);
  for (let yy = 0; yy < dh; yy++) {
    const ymin = v.bounds[2 * yy]!;
    const n = v.bounds[2 * yy + 1]!;
    const k = yy * v.ksize;
    for (let x = 0; x < dw * ch; x++) {
      let ss = HALF;
      for (let y = 0; y < n; y++) ss += mid[(ymin + y) * dw * ch + x]! * v.kk[k + y]!;
      dst[yy * dw * ch + x] = clip8(ss);
    }
  }
}
