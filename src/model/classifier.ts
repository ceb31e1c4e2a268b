import type { Dataset } from '../data/dataset.ts';

/** A Fourier perturbation of every image of a clean set: U, and the random-flip signs per batch. */
export interface Perturbation {
  /** U as H·W float32 (`fourierBasis`), added to the channels of each image. */
  readonly basis: Float32Array;
  /** ±1 per image and channel of batch `b` ([n·C]), or null for channel-aligned. */
  signs(b: number): Float32Array | null;
}

/** Per call: stop early (then null is returned) once `isClosed` turns true between batches. */
export interface PredictOptions {
  readonly isClosed?: () => boolean;
}

/**
 * Images held ready for repeated evaluation by one classifier, in the form it perturbs and feeds
 * fastest (tensors on the tfjs backend, float32 arrays for onnxruntime): a Fourier-grid cell then
 * costs only the perturbation and the forward passes.
 */
export interface CleanSet {
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly classes: number;
  /** How the images are split into forward passes, with their labels and dataset indices. */
  readonly batches: readonly { readonly labels: Int32Array; readonly indices: Int32Array }[];
  /** Softmax probabilities [count, classes], in batch order; null when stopped. */
  probabilities(perturbation: Perturbation | null, options?: PredictOptions): Promise<Float32Array | null>;
  /** The model's raw outputs [count, classes]; null when stopped. */
  logits(perturbation: Perturbation | null, options?: PredictOptions): Promise<Float32Array | null>;
  dispose(): void;
}

/** A trained image classifier, whichever runtime runs it (tfjs or onnxruntime). */
export interface Classifier {
  readonly classes: number;
  /** The image size it takes. */
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** Where it runs and how it is fed, one line (e.g. for the run log). */
  readonly description: string;
  /**
   * Holds `indices` of `dataset` (default all) in forward passes of `batchSize` (a fixed-batch
   * model uses its own), as v/255 in float32 (rounded as torchvision's ToTensor).
   */
  cleanSet(dataset: Dataset, batchSize: number, indices?: ArrayLike<number>): CleanSet;
  dispose(): void;
}

/**
 * The dataset indices of each forward pass: `indices` (default all) in order, `batchSize` at a time.
 *
 * @throws RangeError for a bad batch size or an index outside the dataset
 */
export function batchIndices(dataset: Dataset, batchSize: number, indices?: ArrayLike<number>): Int32Array[] {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batch size must be an integer >= 1, got ${batchSize}`);
  const order = indices ? Int32Array.from(indices) : Int32Array.from({ length: dataset.count }, (_, i) => i);
  order.forEach((i) => {
    if (!Number.isInteger(i) || i < 0 || i >= dataset.count) throw new RangeError(`image index ${i} is outside ${dataset.name} [0, ${dataset.count})`);
  });
  const out: Int32Array[] = [];
  for (let start = 0; start < order.length; start += batchSize) out.push(order.slice(start, start + batchSize));
  return out;
}

const UNIT = Float32Array.from({ length: 256 }, (_, v) => v / 255);

/** The images `idx` of `dataset` as float32 v/255, NHWC, written into `out` (default: a new array). */
export function unitPixels(dataset: Dataset, idx: Int32Array, out?: Float32Array): Float32Array {
  const { width, height, channels } = dataset.shape;
  const size = width * height * channels;
  const data = out ?? new Float32Array(idx.length * size);
  idx.forEach((img, b) => {
    const src = dataset.pixels.subarray(img * size, (img + 1) * size);
    for (let j = 0; j < size; j++) data[b * size + j] = UNIT[src[j]!]!;
  });
  return data;
}
