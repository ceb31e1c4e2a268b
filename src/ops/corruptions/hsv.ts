// Module-level alias: inside jest's vm context each `Math.x` in a hot loop is a slow global lookup.
const floor = Math.floor;

/**
 * scikit-image 0.19's `rgb2hsv` for one pixel with r, g, b in [0, 1], into `out` as [h, s, v],
 * in its order of operations: v = max, s = (max - min) / v, and h from whichever channel equals
 * the max, blue winning ties over green over red (its masks are assigned in r, g, b order), then
 * `(h / 6) % 1` with Python's modulo. Grey pixels get h = s = 0.
 */
export function rgbToHsv(r: number, g: number, b: number, out: Float64Array): void {
  const v = r > g ? (r > b ? r : b) : g > b ? g : b;
  const min = r < g ? (r < b ? r : b) : g < b ? g : b;
  const delta = v - min;
  if (delta === 0) {
    out[0] = 0;
    out[1] = 0;
    out[2] = v;
    return;
  }
  let h: number;
  if (b === v) h = 4 + (r - g) / delta;
  else if (g === v) h = 2 + (b - r) / delta;
  else h = (g - b) / delta;
  h = (h / 6) % 1;
  if (h < 0) h += 1;
  out[0] = h;
  out[1] = delta / v;
  out[2] = v;
}

// hsv2rgb's sextants: which of (v, t, p, q) goes to r, g and b for `floor(6 h) % 6` = 0..5.
const SEXTANTS = new Uint8Array([0, 1, 2, 3, 0, 2, 2, 0, 1, 2, 3, 0, 1, 2, 0, 0, 2, 3]);
const VTPQ = new Float64Array(4);

/** scikit-image 0.19's `hsv2rgb` for one pixel, into `out` as [r, g, b]. */
export function hsvToRgb(h: number, s: number, v: number, out: Float64Array): void {
  const hi6 = floor(h * 6);
  const f = h * 6 - hi6;
  VTPQ[0] = v;
  VTPQ[1] = v * (1 - (1 - f) * s);
  VTPQ[2] = v * (1 - s);
  VTPQ[3] = v * (1 - f * s);
  const k = (hi6 % 6) * 3;
  out[0] = VTPQ[SEXTANTS[k]!]!;
  out[1] = VTPQ[SEXTANTS[k + 1]!]!;
  out[2] = VTPQ[SEXTANTS[k + 2]!]!;
}
