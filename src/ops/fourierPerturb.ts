import type { Image } from './image.ts';

/**
 * Adds `signs[c] * basis` to channel c of a float image in [0, 1] (HWC) and clips to [0, 1]
 * (paper §2). All signs +1 is channel-aligned; independent ±1 per channel is random-flip.
 * `dst` may be `src`.
 */
export function perturbFloatInto(src: Float32Array, dst: Float32Array, basis: Float32Array, signs: readonly number[]): void {
  const channels = signs.length;
  for (let p = 0, i = 0; p < basis.length; p++) {
    const u = basis[p]!;
    for (let c = 0; c < channels; c++, i++) {
      const v = src[i]! + signs[c]! * u;
      dst[i] = v < 0 ? 0 : v > 1 ? 1 : v;
    }
  }
}

/**
 * The same perturbation on a uint8 image, as the authors' FourierPerturbation does inside a PIL
 * chain: ToTensor (x/255 in float32), add, clip to [0, 1], ToPILImage (×255 in float32, then
 * truncate). Every step rounds to float32 as torch does, so a chain stays in uint8 like AugMix's.
 */
export function perturbUint8Into(src: Image, dst: Image, basis: Float32Array, signs: readonly number[]): void {
  const channels = src.channels;
  const s = src.data;
  const d = dst.data;
  const f = Math.fround;
  for (let p = 0, i = 0; p < basis.length; p++) {
    const u = basis[p]!;
    for (let c = 0; c < channels; c++, i++) {
      const v = f(f(s[i]! / 255) + f(signs[c]! * u));
      d[i] = v <= 0 ? 0 : v >= 1 ? 255 : f(v * 255) | 0;
    }
  }
}
