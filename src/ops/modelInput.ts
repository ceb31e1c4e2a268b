/** Where the channel axis goes: PyTorch exports NCHW, TensorFlow models are usually NHWC. */
export type Layout = 'nchw' | 'nhwc';
export type ChannelOrder = 'rgb' | 'bgr';

/** What a model takes, beyond its size: how a [0, 1] RGB image becomes its input. */
export interface InputTransform {
  readonly layout: Layout;
  readonly channelOrder: ChannelOrder;
  /** Pixels are multiplied by this before normalisation: 1 for [0, 1] inputs, 255 for [0, 255]. */
  readonly scale: number;
  /** Per channel, in RGB order and in the scaled units. */
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

/** The Fourier perturbation of a batch: U (H·W) and, for random-flip, one ±1 per image and channel. */
export interface BatchPerturbation {
  readonly basis: Float32Array;
  /** [n·C] signs, or null for channel-aligned (+1 everywhere). */
  readonly signs: Float32Array | null;
}

/**
 * Writes the model input of `count` images into `dst`: each pixel of `src` (NHWC float32 in
 * [0, 1]) perturbed as `perturbFloatInto` does (clip(x + s·U, 0, 1)), when a perturbation is
 * given, then ((v·scale) − mean)/std per channel, every step rounded to float32 as the tensor
 * path rounds it, and written in the model's channel order and layout. `dst` holds at least
 * count·H·W·C values; the rest of it is left alone.
 */
export function modelInputInto(
  src: Float32Array,
  dst: Float32Array,
  count: number,
  shape: { readonly height: number; readonly width: number; readonly channels: number },
  transform: InputTransform,
  perturbation: BatchPerturbation | null = null,
): void {
  const { height, width, channels } = shape;
  const f = Math.fround;
  const plane = height * width;
  const size = plane * channels;
  const scale = f(transform.scale);
  const mean = transform.mean.map(f);
  const std = transform.std.map(f);
  // For each source channel c: where it goes among the model's channels, as a stride and offset.
  const target = Array.from({ length: channels }, (_, c) => (transform.channelOrder === 'bgr' ? channels - 1 - c : c));
  const nchw = transform.layout === 'nchw';
  const channelStride = nchw ? plane : 1;
  const pixelStride = nchw ? 1 : channels;
  // A zero wave and +1 signs leave x unchanged (x + 0 = x, and x is already in [0, 1]).
  const basis = perturbation?.basis ?? new Float32Array(plane);
  const flip = perturbation?.signs ?? null;
  for (let n = 0; n < count; n++) {
    for (let c = 0; c < channels; c++) {
      const m = mean[c]!;
      const s = std[c]!;
      const sign = flip ? flip[n * channels + c]! : 1;
      let o = n * size + target[c]! * channelStride;
      for (let p = 0, i = n * size + c; p < plane; p++, i += channels, o += pixelStride) {
        const v = f(src[i]! + sign * basis[p]!);
        dst[o] = f(f((v < 0 ? 0 : v > 1 ? 1 : v) * scale) - m) / s;
      }
    }
  }
}
