/**
 * A baseline JPEG encode and decode in one pass, with libjpeg-turbo's integer arithmetic step for
 * step: what Pillow's `save(quality=q)` then `open` gives, without entropy coding (lossless, so
 * it changes nothing). Encoder: RGB → YCbCr (jccolor.c), 4:2:0 by 2x2 averaging with alternating
 * bias (jcsample.c), level shift and the "islow" forward DCT (jfdctint.c), quantisation with
 * libjpeg-turbo's reciprocals (jcdctmgr.c) and the Annex K tables scaled for q (jcparam.c).
 * Decoder: dequantisation and the islow inverse DCT with its range-limit table (jidctint.c,
 * jdmaster.c), "fancy" triangle upsampling of chroma (jdsample.c), YCbCr → RGB (jdcolor.c).
 * For images whose height and width are multiples of 16 (whole MCUs, so no edge padding).
 */

const LUMA = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103,
  77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];
const CHROMA = [
  17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
  99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
];

/** Whether `jpegRoundTripInto` handles an image of this size (whole 16x16 MCUs). */
export function jpegRoundTripFits(height: number, width: number): boolean {
  return height > 0 && width > 0 && height % 16 === 0 && width % 16 === 0;
}

/** A quality's table (jpeg_quality_scaling + jpeg_add_quant_table, baseline) and its quantiser (compute_reciprocal, 16-bit DCTELEM). */
interface QuantTable {
  readonly q: Int32Array;
  readonly recip: Float64Array;
  readonly corr: Float64Array;
  readonly shift: Float64Array;
}

function quantTable(base: readonly number[], quality: number): QuantTable {
  const qq = Math.min(100, Math.max(1, quality));
  const scale = qq < 50 ? Math.trunc(5000 / qq) : 200 - qq * 2;
  const q = new Int32Array(64);
  const recip = new Float64Array(64);
  const corr = new Float64Array(64);
  const shift = new Float64Array(64);
  for (let i = 0; i < 64; i++) {
    q[i] = Math.min(255, Math.max(1, Math.trunc((base[i]! * scale + 50) / 100)));
    // The islow DCT's output is scaled up by 8, so its divisor is 8q.
    const divisor = q[i]! << 3;
    let r = 16 + (31 - Math.clz32(divisor));
    let fq = Math.floor(2 ** r / divisor);
    const fr = 2 ** r - fq * divisor;
    let c = Math.floor(divisor / 2);
    if (fr === 0) {
      fq = Math.floor(fq / 2);
      r--;
    } else if (fr <= Math.floor(divisor / 2)) c++;
    else fq++;
    recip[i] = fq;
    corr[i] = c;
    shift[i] = 2 ** r;
  }
  return { q, recip, corr, shift };
}

const tables = new Map<number, readonly [QuantTable, QuantTable]>();
function tablesFor(quality: number): readonly [QuantTable, QuantTable] {
  let t = tables.get(quality);
  if (!t) tables.set(quality, (t = [quantTable(LUMA, quality), quantTable(CHROMA, quality)]));
  return t;
}

// jfdctint.c / jidctint.c constants: FIX_0_298631336 ... FIX_3_072711026, rounded at CONST_BITS 13.
const [F0298, F0390, F0541, F0765, F0899, F1175, F1501, F1847, F1961, F2053, F2562, F3072] = [
  2446, 3196, 4433, 6270, 7373, 9633, 12299, 15137, 16069, 16819, 20995, 25172,
] as const;

/** libjpeg's DESCALE: round by adding half, then an arithmetic shift (as a floor, exact in doubles). */
const descale = (x: number, n: number): number => Math.floor((x + DESCALE_HALF[n]!) * DESCALE_INVERSE[n]!);
// 2^(n-1) and 2^-n by n: multiplying by a power of two is exact, and a table read is cheaper than a power.
const DESCALE_HALF = Float64Array.from({ length: 32 }, (_, n) => 2 ** (n - 1));
const DESCALE_INVERSE = Float64Array.from({ length: 32 }, (_, n) => 2 ** -n);

const ODD = new Float64Array(4);

/**
 * The odd part both 1-D passes share (jfdctint.c / jidctint.c, same rotations): from the inputs
 * of rows 7, 5, 3 and 1 (the inverse) or the differences d3-d4, d2-d5, d1-d6, d0-d7 (the forward),
 * the four odd outputs, into ODD in that order. Integers below 2^53 throughout, so exact.
 */
function oddPart(t0: number, t1: number, t2: number, t3: number): void {
  const z1 = (t0 + t3) * -F0899;
  const z2 = (t1 + t2) * -F2562;
  const z3 = t0 + t2;
  const z4 = t1 + t3;
  const z5 = (z3 + z4) * F1175;
  const z3r = z3 * -F1961 + z5;
  const z4r = z4 * -F0390 + z5;
  ODD[0] = t0 * F0298 + z1 + z3r;
  ODD[1] = t1 * F2053 + z2 + z4r;
  ODD[2] = t2 * F3072 + z2 + z3r;
  ODD[3] = t3 * F1501 + z1 + z4r;
}

/** jpeg_fdct_islow on `b` (level-shifted samples, row-major) in place: coefficients scaled by 8. */
function fdct(b: Float64Array): void {
  for (let r = 0; r < 64; r += 8) fdct1(b, r, 1, 0, 13 - 2);
  for (let c = 0; c < 8; c++) fdct1(b, c, 8, 2, 13 + 2);
}

/** One 1-D pass: rows (shift PASS1_BITS up, descale CONST_BITS − PASS1_BITS) or columns (PASS1_BITS down, CONST_BITS + PASS1_BITS). */
function fdct1(b: Float64Array, o: number, s: number, evenShift: number, oddBits: number): void {
  const d0 = b[o]!;
  const d1 = b[o + s]!;
  const d2 = b[o + 2 * s]!;
  const d3 = b[o + 3 * s]!;
  const d4 = b[o + 4 * s]!;
  const d5 = b[o + 5 * s]!;
  const d6 = b[o + 6 * s]!;
  const d7 = b[o + 7 * s]!;
  const tmp0 = d0 + d7;
  const tmp1 = d1 + d6;
  const tmp2 = d2 + d5;
  const tmp3 = d3 + d4;
  const tmp10 = tmp0 + tmp3;
  const tmp13 = tmp0 - tmp3;
  const tmp11 = tmp1 + tmp2;
  const tmp12 = tmp1 - tmp2;
  if (evenShift === 0) {
    b[o] = (tmp10 + tmp11) * 4;
    b[o + 4 * s] = (tmp10 - tmp11) * 4;
  } else {
    b[o] = descale(tmp10 + tmp11, evenShift);
    b[o + 4 * s] = descale(tmp10 - tmp11, evenShift);
  }
  const z1 = (tmp12 + tmp13) * F0541;
  b[o + 2 * s] = descale(z1 + tmp13 * F0765, oddBits);
  b[o + 6 * s] = descale(z1 - tmp12 * F1847, oddBits);
  oddPart(d3 - d4, d2 - d5, d1 - d6, d0 - d7);
  b[o + 7 * s] = descale(ODD[0]!, oddBits);
  b[o + 5 * s] = descale(ODD[1]!, oddBits);
  b[o + 3 * s] = descale(ODD[2]!, oddBits);
  b[o + s] = descale(ODD[3]!, oddBits);
}

/** Quantises (libjpeg-turbo's reciprocal method) and dequantises `b` in place. */
function quantise(b: Float64Array, t: QuantTable): void {
  for (let i = 0; i < 64; i++) {
    const v = b[i]!;
    const m = Math.floor(((Math.abs(v) + t.corr[i]!) * t.recip[i]!) / t.shift[i]!);
    b[i] = (v < 0 ? -m : m) * t.q[i]!;
  }
}

/** jpeg_idct_islow's range limit: sample = table[x & 1023] for the descaled output x (jdmaster.c's layout). */
const RANGE = (() => {
  const t = new Uint8Array(1024);
  for (let x = 0; x < 1024; x++) t[x] = x < 128 ? x + 128 : x < 512 ? 255 : x < 896 ? 0 : x - 896;
  return t;
})();

/** jpeg_idct_islow of the dequantised coefficients `b` into 8x8 samples at `out[o + row·stride + col]`. */
function idct(b: Float64Array, w: Float64Array, out: Uint8Array, o: number, stride: number): void {
  for (let c = 0; c < 8; c++) idct1(b, c, 8, w, c, 8, 13 - 2, null, 0);
  for (let r = 0; r < 8; r++) idct1(w, r * 8, 1, null, 0, 0, 13 + 2 + 3, out, o + r * stride);
}

function idct1(b: Float64Array, i: number, s: number, w: Float64Array | null, wo: number, ws: number, bits: number, out: Uint8Array | null, oo: number): void {
  const e2 = b[i + 2 * s]!;
  const e6 = b[i + 6 * s]!;
  const z1 = (e2 + e6) * F0541;
  const tmp2 = z1 - e6 * F1847;
  const tmp3 = z1 + e2 * F0765;
  const tmp0 = (b[i]! + b[i + 4 * s]!) * 8192;
  const tmp1 = (b[i]! - b[i + 4 * s]!) * 8192;
  const tmp10 = tmp0 + tmp3;
  const tmp13 = tmp0 - tmp3;
  const tmp11 = tmp1 + tmp2;
  const tmp12 = tmp1 - tmp2;
  oddPart(b[i + 7 * s]!, b[i + 5 * s]!, b[i + 3 * s]!, b[i + s]!);
  const o7 = ODD[0]!;
  const o5 = ODD[1]!;
  const o3 = ODD[2]!;
  const o1 = ODD[3]!;
  const v0 = descale(tmp10 + o1, bits);
  const v7 = descale(tmp10 - o1, bits);
  const v1 = descale(tmp11 + o3, bits);
  const v6 = descale(tmp11 - o3, bits);
  const v2 = descale(tmp12 + o5, bits);
  const v5 = descale(tmp12 - o5, bits);
  const v3 = descale(tmp13 + o7, bits);
  const v4 = descale(tmp13 - o7, bits);
  if (w) {
    w[wo] = v0;
    w[wo + ws] = v1;
    w[wo + 2 * ws] = v2;
    w[wo + 3 * ws] = v3;
    w[wo + 4 * ws] = v4;
    w[wo + 5 * ws] = v5;
    w[wo + 6 * ws] = v6;
    w[wo + 7 * ws] = v7;
  } else {
    const o = out!;
    o[oo] = RANGE[v0 & 1023]!;
    o[oo + 1] = RANGE[v1 & 1023]!;
    o[oo + 2] = RANGE[v2 & 1023]!;
    o[oo + 3] = RANGE[v3 & 1023]!;
    o[oo + 4] = RANGE[v4 & 1023]!;
    o[oo + 5] = RANGE[v5 & 1023]!;
    o[oo + 6] = RANGE[v6 & 1023]!;
    o[oo + 7] = RANGE[v7 & 1023]!;
  }
}

/** Encodes and decodes one plane of `height` x `width` samples in place, block by block. */
function codePlane(plane: Uint8Array, height: number, width: number, t: QuantTable, b: Float64Array, w: Float64Array): void {
  for (let by = 0; by < height; by += 8) {
    for (let bx = 0; bx < width; bx += 8) {
      const o = by * width + bx;
      for (let r = 0; r < 8; r++) for (let c = 0; c < 8; c++) b[r * 8 + c] = plane[o + r * width + c]! - 128;
      fdct(b);
      quantise(b, t);
      idct(b, w, plane, o, width);
    }
  }
}

// jccolor.c / jdcolor.c: SCALEBITS 16.
const fix = (x: number): number => Math.floor(x * 65536 + 0.5);
const HALF = 1 << 15;
const CR_R = new Int32Array(256);
const CB_B = new Int32Array(256);
const CR_G = new Int32Array(256);
const CB_G = new Int32Array(256);
for (let i = 0; i < 256; i++) {
  const x = i - 128;
  CR_R[i] = (fix(1.402) * x + HALF) >> 16;
  CB_B[i] = (fix(1.772) * x + HALF) >> 16;
  CR_G[i] = -fix(0.71414) * x;
  CB_G[i] = -fix(0.34414) * x + HALF;
}
const clamp = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : v);
// RGB → YCbCr coefficients (jccolor.c); Cb and Cr round with 0.5 − ε so they never reach 256.
const FY_R = fix(0.299);
const FY_G = fix(0.587);
const FY_B = fix(0.114);
const FCB_R = -fix(0.16874);
const FCB_G = -fix(0.33126);
const FHALF = fix(0.5);
const FCR_G = -fix(0.41869);
const FCR_B = -fix(0.08131);
const OFFSET = (128 << 16) + HALF - 1;

const scratch = new Map<string, { y: Uint8Array; cb: Uint8Array; cr: Uint8Array; cbUp: Uint8Array; crUp: Uint8Array; b: Float64Array; w: Float64Array }>();

/**
 * `src` (RGB, interleaved, `height` x `width`, multiples of 16) through JPEG at `quality` with
 * 4:2:0 chroma, into `dst` (same layout). Pillow 9.4 (libjpeg-turbo) gives the same bytes.
 */
export function jpegRoundTripInto(src: Uint8Array, height: number, width: number, quality: number, dst: Uint8Array): void {
  if (!jpegRoundTripFits(height, width)) throw new RangeError(`jpegRoundTripInto: ${height}x${width} is not made of whole 16x16 MCUs`);
  const key = `${height}x${width}`;
  let s = scratch.get(key);
  if (!s) {
    const n = height * width;
    s = {
      y: new Uint8Array(n),
      cb: new Uint8Array(n / 4),
      cr: new Uint8Array(n / 4),
      cbUp: new Uint8Array(n),
      crUp: new Uint8Array(n),
      b: new Float64Array(64),
      w: new Float64Array(64),
    };
    scratch.set(key, s);
  }
  const { y, cb, cr, cbUp, crUp, b, w } = s;
  const [lt, ct] = tablesFor(quality);
  // Colour conversion, and chroma averaged over 2x2 with bias 1, 2, 1, 2, ... along each row. The
  // upsampling buffers hold full-resolution chroma until it is downsampled.
  const cw = width / 2;
  const fullCb = cbUp;
  const fullCr = crUp;
  for (let i = 0, p = 0; i < height * width; i++, p += 3) {
    const r = src[p]!;
    const g = src[p + 1]!;
    const bl = src[p + 2]!;
    y[i] = (FY_R * r + FY_G * g + FY_B * bl + HALF) >> 16;
    fullCb[i] = (FCB_R * r + FCB_G * g + FHALF * bl + OFFSET) >> 16;
    fullCr[i] = (FHALF * r + FCR_G * g + FCR_B * bl + OFFSET) >> 16;
  }
  for (let row = 0; row < height / 2; row++) {
    const a = 2 * row * width;
    const c = a + width;
    for (let col = 0; col < cw; col++) {
      const bias = (col & 1) === 0 ? 1 : 2;
      const x = 2 * col;
      cb[row * cw + col] = (fullCb[a + x]! + fullCb[a + x + 1]! + fullCb[c + x]! + fullCb[c + x + 1]! + bias) >> 2;
      cr[row * cw + col] = (fullCr[a + x]! + fullCr[a + x + 1]! + fullCr[c + x]! + fullCr[c + x + 1]! + bias) >> 2;
    }
  }
  codePlane(y, height, width, lt, b, w);
  codePlane(cb, height / 2, cw, ct, b, w);
  codePlane(cr, height / 2, cw, ct, b, w);
  upsample(cb, height / 2, cw, cbUp);
  upsample(cr, height / 2, cw, crUp);
  for (let i = 0, p = 0; i < height * width; i++, p += 3) {
    const yy = y[i]!;
    const u = cbUp[i]!;
    const v = crUp[i]!;
    dst[p] = clamp(yy + CR_R[v]!);
    dst[p + 1] = clamp(yy + ((CB_G[u]! + CR_G[v]!) >> 16));
    dst[p + 2] = clamp(yy + CB_B[u]!);
  }
}

/** h2v2_fancy_upsample: each output sample 9/16, 3/16, 3/16, 1/16 of its nearest four, edges replicated. */
function upsample(plane: Uint8Array, h: number, w: number, out: Uint8Array): void {
  const ow = 2 * w;
  for (let row = 0; row < h; row++) {
    for (let v = 0; v < 2; v++) {
      const near = row * w;
      const farRow = v === 0 ? Math.max(row - 1, 0) : Math.min(row + 1, h - 1);
      const far = farRow * w;
      let o = (2 * row + v) * ow;
      let thiscolsum = plane[near]! * 3 + plane[far]!;
      let nextcolsum = plane[near + 1]! * 3 + plane[far + 1]!;
      out[o++] = (thiscolsum * 4 + 8) >> 4;
      out[o++] = (thiscolsum * 3 + nextcolsum + 7) >> 4;
      let lastcolsum = thiscolsum;
      thiscolsum = nextcolsum;
      for (let col = 2; col < w; col++) {
        nextcolsum = plane[near + col]! * 3 + plane[far + col]!;
        out[o++] = (thiscolsum * 3 + lastcolsum + 8) >> 4;
        out[o++] = (thiscolsum * 3 + nextcolsum + 7) >> 4;
        lastcolsum = thiscolsum;
        thiscolsum = nextcolsum;
      }
      out[o] = (thiscolsum * 3 + lastcolsum + 8) >> 4;
      out[o + 1] = (thiscolsum * 4 + 7) >> 4;
    }
  }
}
