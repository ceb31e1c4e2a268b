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

/** scikit-image 0.19's `hsv2rgb` for one pixel, into `out` as [r, g, b]. */
export function hsvToRgb(h: number, s: number, v: number, out: Float64Array): void {
  const hi6 = floor(h * 6);
  const f = h * 6 - hi6;
  const p = v * (1 - s);
  const q = v * (1 - f * s);
  const t = v * (1 - (1 - f) * s);
  switch (hi6 % 6) {
    case 0:
      out[0] = v;
      out[1] = t;
      out[2] = p;
      break;
    case 1:
      out[0] = q;
      out[1] = v;
      out[2] = p;
      break;
    case 2:
      out[0] = p;
      out[1] = v;
      out[2] = t;
      break;
    case 3:
      out[0] = p;
      out[1] = q;
      out[2] = v;
      break;
    case 4:
      out[0] = t;
      out[1] = p;
      out[2] = v;
      break;
    default:
      out[0] = v;
      out[1] = p;
      out[2] = q;
      break;
  }
}
