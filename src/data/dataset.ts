import { sharedBytes, sharedInt32 } from './allocateShared.ts';

/** Width, height and channel count of every image in a dataset. */
export interface DatasetShape {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
}

/**
 * A labelled image set held in memory. `pixels` is NHWC uint8 (image `i` starts at
 * `i * width * height * channels`); `pixels` and `labels` are normally backed by a
 * `SharedArrayBuffer` so worker threads can map them without copies (`subset` keeps that).
 */
export interface Dataset {
  /** Where it came from, for messages and reports, e.g. `'cifar10-mini/train'`. */
  readonly name: string;
  /** Number of images. */
  readonly count: number;
  /** Height, width and channels, the same for every image. */
  readonly shape: DatasetShape;
  /** Class names in label order. */
  readonly classes: readonly string[];
  /** NHWC uint8, `count * width * height * channels` bytes. */
  readonly pixels: Uint8Array;
  /** One class index per image, each in `[0, classes.length)`. */
  readonly labels: Int32Array;
  /** Files the data was read from. */
  readonly source: readonly string[];
}

/** Bytes in one image of `shape`. */
export function imageBytes(shape: DatasetShape): number {
  return shape.width * shape.height * shape.channels;
}

/**
 * Images `[start, start + count)` of `ds` as views onto its buffers (no copy: writes show
 * through both ways).
 *
 * @param start - first image, `0 <= start <= ds.count`
 * @param count - number of images, `0 <= count <= ds.count - start`; defaults to the rest
 * @throws RangeError naming the dataset and the valid range when the slice does not fit
 */
export function subset(ds: Dataset, start: number, count = ds.count - start): Dataset {
  if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0 || start + count > ds.count) {
    throw new RangeError(
      `subset of ${ds.name}: images [${start}, ${start + count}) do not fit in [0, ${ds.count}); ` +
        'start and count must be non-negative integers with start + count <= count of the dataset',
    );
  }
  const size = imageBytes(ds.shape);
  return {
    name: `${ds.name}[${start}:${start + count}]`,
    count,
    shape: ds.shape,
    pixels: ds.pixels.subarray(start * size, (start + count) * size),
    labels: ds.labels.subarray(start, start + count),
    classes: ds.classes,
    // One file per image (an image folder): the subset's own; else the files the whole set came from.
    source: ds.source.length === ds.count ? ds.source.slice(start, start + count) : ds.source,
  };
}

/**
 * The images of all `parts`, in order, copied into one new shared buffer.
 *
 * @param parts - at least one dataset; all must have the same shape and class names
 * @param name - name of the result; defaults to the part names joined with `+`
 * @throws Error naming the first part that differs in shape or classes
 */
export function concat(parts: readonly Dataset[], name = parts.map((p) => p.name).join('+')): Dataset {
  const first = parts[0];
  if (first === undefined) throw new RangeError('concat: needs at least one dataset, got none');
  for (const p of parts) {
    const { width, height, channels } = p.shape;
    if (width !== first.shape.width || height !== first.shape.height || channels !== first.shape.channels) {
      throw new Error(
        `concat: ${p.name} has shape ${width}x${height}x${channels}, expected ` +
          `${first.shape.width}x${first.shape.height}x${first.shape.channels} like ${first.name}`,
      );
    }
    if (p.classes.length !== first.classes.length || p.classes.some((c, i) => c !== first.classes[i])) {
      throw new Error(`concat: ${p.name} has classes [${p.classes.join(', ')}], expected [${first.classes.join(', ')}] like ${first.name}`);
    }
  }
  const count = parts.reduce((n, p) => n + p.count, 0);
  const pixels = sharedBytes(count * imageBytes(first.shape));
  const labels = sharedInt32(count);
  let at = 0;
  for (const p of parts) {
    pixels.set(p.pixels, at * imageBytes(first.shape));
    labels.set(p.labels, at);
    at += p.count;
  }
  return { name, count, shape: first.shape, pixels, labels, classes: first.classes, source: [...new Set(parts.flatMap((p) => p.source))] };
}
