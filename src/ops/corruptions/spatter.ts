import type { Image } from '../image.ts';
import type { Rng } from '../rng.ts';
import type { SyncCorruption, Severity } from './corruption.ts';
import { SEVERITY_CONSTANTS, type CorruptionPreset } from './presets.ts';
import { gaussianFilter } from './gaussianFilter.ts';
import { boxBlur3F32, boxBlur3U8, canny, castU8, distanceTransformL2Mask5, equalizeHist, filter2D3x3U8 } from './opencv.ts';

const { fround, trunc } = Math;

// The "pale turquoise" (175, 238, 238) and mud (63, 42, 20) in float32, first value on channel 0:
// the original's BGR conversions on RGB data put 175 on red.
const WATER = [fround(175 / 255), fround(238 / 255), fround(238 / 255)];
const MUD = [fround(63 / 255), fround(42 / 255), fround(20 / 255)];
const EMBOSS = [-2, -1, 0, -1, 1, 1, 0, 1, 2];

/** Work buffers for images of n pixels (kernels are synchronous, so one set serves every call). */
let BUFFERS = makeBuffers(0);
function makeBuffers(n: number) {
  const bytes = () => new Uint8Array(n);
  return {
    n,
    liquid: new Float64Array(n),
    layer: bytes(),
    edges: bytes(),
    dist: new Float32Array(n),
    blurred: new Float32Array(n),
    bytes: [bytes(), bytes(), bytes(), bytes()] as const,
    m: new Float32Array(n),
  };
}
function buffers(n: number): ReturnType<typeof makeBuffers> {
  if (BUFFERS.n !== n) BUFFERS = makeBuffers(n);
  return BUFFERS;
}

/**
 * Water or mud drops (make_cifar_c.py's `spatter`). A liquid layer N(loc, scale) per pixel (drawn
 * in row order from `rng`) is blurred (scikit-image gaussian, float64) and zeroed below the
 * threshold. Severities 1-3 (water): the layer as uint8, its Canny edges (50, 150), the L2 5x5
 * chamfer distance to them truncated at 20, box blur, histogram equalisation, a 3x3 emboss, box
 * blur again (opencv.ts, each bit-exact with cv2 4.6); layer x emboss, divided by its maximum,
 * times 0.5, tints the image (R + 175/255 m, G and B + 238/255 m). Severities 4-5 (mud): the
 * blurred (float32) mask of the layer, zeroed below 0.8, blends towards brown. All arithmetic in
 * float32 as the original; truncated to uint8. Severity 4 is closer to the clean image than 3.
 * A water layer with no liquid at all gives 0/0 in the original: NaN everywhere, black (0) in uint8.
 */
export const spatter: SyncCorruption = {
  name: 'spatter',
  fidelity: "same algorithm and constants; OpenCV's Canny, distance transform, equalizeHist, filter2D and blur restated bit-exact; normal draws from our Rng",
  apply(src: Image, dst: Uint8Array, severity: Severity, preset: CorruptionPreset, rng: Rng): void {
    const { loc, scale, sigma, threshold, intensity, mud } = SEVERITY_CONSTANTS[preset].spatter[severity - 1]!;
    const { width: w, height: h, channels: ch } = src;
    const n = w * h;
    const b = buffers(n);
    const liquid = b.liquid;
    rng.normals(liquid);
    for (let i = 0; i < n; i++) liquid[i] = loc + scale * liquid[i]!;
    gaussianFilter(liquid, w, h, 1, sigma);
    for (let i = 0; i < n; i++) if (liquid[i]! < threshold) liquid[i] = 0;
    const s = src.data;
    const m = b.m;
    if (!mud) {
      const { layer, edges, dist, blurred } = b;
      for (let i = 0; i < n; i++) layer[i] = castU8(liquid[i]! * 255);
      canny(layer, w, h, 50, 150, edges);
      for (let i = 0; i < n; i++) edges[i] = 255 - edges[i]!;
      distanceTransformL2Mask5(edges, w, h, dist);
      for (let i = 0; i < n; i++) if (dist[i]! > 20) dist[i] = 20;
      boxBlur3F32(dist, w, h, blurred);
      // The levels, equalised, embossed and blurred, each step into the next buffer.
      const [levels, equalised, embossed, emboss] = b.bytes;
      for (let i = 0; i < n; i++) levels[i] = trunc(blurred[i]!);
      equalizeHist(levels, equalised);
      filter2D3x3U8(equalised, w, h, EMBOSS, embossed);
      boxBlur3U8(embossed, w, h, emboss);
      let max = 0;
      for (let i = 0; i < n; i++) {
        m[i] = layer[i]! * emboss[i]!;
        if (m[i]! > max) max = m[i]!;
      }
      if (max === 0) {
        dst.fill(0, 0, n * ch);
        return;
      }
      for (let i = 0; i < n; i++) m[i] = fround(fround(m[i]! / max) * intensity);
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < ch; k++) {
          const o = i * ch + k;
          let v = fround(fround(s[o]! / 255) + fround(m[i]! * WATER[k % 3]!));
          v = v < 0 ? 0 : v > 1 ? 1 : v;
          dst[o] = fround(v * 255);
        }
      }
      return;
    }
    for (let i = 0; i < n; i++) m[i] = liquid[i]! > threshold ? 1 : 0;
    gaussianFilter(m, w, h, 1, intensity);
    for (let i = 0; i < n; i++) if (m[i]! < 0.8) m[i] = 0;
    for (let i = 0; i < n; i++) {
      const keep = fround(1 - m[i]!);
      for (let k = 0; k < ch; k++) {
        const o = i * ch + k;
        let v = fround(fround(fround(s[o]! / 255) * keep) + fround(MUD[k % 3]! * m[i]!));
        v = v < 0 ? 0 : v > 1 ? 1 : v;
        dst[o] = fround(v * 255);
      }
    }
  },
};
