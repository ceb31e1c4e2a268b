import { open, stat } from 'node:fs/promises';
import { sharedBytes, sharedInt32 } from './allocateShared.ts';
import type { Dataset } from './dataset.ts';

/** Where the label sits in a CIFAR binary record and how many classes it ranges over. */
export interface CifarRecordLayout {
  /** Label bytes before the pixels: 1 for CIFAR-10, 2 (coarse, fine) for CIFAR-100. */
  readonly labelBytes: number;
  /** Which of those bytes is the label to keep. */
  readonly labelIndex: number;
  readonly classes: readonly string[];
}

const SIDE = 32;
const PLANE = SIDE * SIDE;
const PIXELS = 3 * PLANE;
/** Records converted per read, bounding the staging buffer (~3 MB) whatever the file size. */
const RECORDS_PER_READ = 1024;

/**
 * Reads CIFAR binary-version files (per record: label byte(s), then 1024 R, 1024 G, 1024 B bytes,
 * row-major 32x32) into one shared NHWC dataset, in file order.
 *
 * @param files - paths in the order their images should appear
 * @throws Error naming the file when its size is not a whole number of records or a label is out of range
 */
export async function readCifarBinary(name: string, files: readonly string[], layout: CifarRecordLayout): Promise<Dataset> {
  const recordBytes = layout.labelBytes + PIXELS;
  const counts: number[] = [];
  for (const file of files) {
    const { size } = await stat(file);
    if (size === 0 || size % recordBytes !== 0) {
      const lo = Math.floor(size / recordBytes);
      const nearest = [lo, lo + 1].filter((n) => n > 0).map((n) => `${n * recordBytes} (${n} record${n === 1 ? '' : 's'})`);
      throw new Error(
        `${file}: size is not a whole number of ${recordBytes}-byte records (${layout.labelBytes} label byte(s) + ${PIXELS} pixel bytes): ` +
          `expected ${nearest.join(' or ')} bytes, actual ${size} bytes; the file is truncated or not in this format`,
      );
    }
    counts.push(size / recordBytes);
  }
  const count = counts.reduce((a, b) => a + b, 0);
  const pixels = sharedBytes(count * PIXELS);
  const labels = sharedInt32(count);
  const staging = new Uint8Array(RECORDS_PER_READ * recordBytes);
  let image = 0;
  for (const [f, file] of files.entries()) {
    const fh = await open(file, 'r');
    try {
      for (let r = 0; r < counts[f]!; r += RECORDS_PER_READ) {
        const n = Math.min(RECORDS_PER_READ, counts[f]! - r);
        const { bytesRead } = await fh.read(staging, 0, n * recordBytes, r * recordBytes);
        if (bytesRead !== n * recordBytes) throw new Error(`${file}: changed while reading: records ${r}..${r + n - 1} gave ${bytesRead} of ${n * recordBytes} bytes`);
        for (let i = 0; i < n; i++, image++) {
          const rec = i * recordBytes;
          const label = staging[rec + layout.labelIndex]!;
          if (label >= layout.classes.length) throw new Error(`${file}: record ${r + i} has label ${label}, expected 0..${layout.classes.length - 1}`);
          labels[image] = label;
          toHwc(staging, rec + layout.labelBytes, pixels, image * PIXELS);
        }
      }
    } finally {
      await fh.close();
    }
  }
  return { name, count, shape: { width: SIDE, height: SIDE, channels: 3 }, pixels, labels, classes: layout.classes, source: files };
}

/** One record's R, G, B planes (CHW) to interleaved HWC. */
function toHwc(src: Uint8Array, from: number, dst: Uint8Array, to: number): void {
  for (let p = 0; p < PLANE; p++) {
    const o = to + 3 * p;
    dst[o] = src[from + p]!;
    dst[o + 1] = src[from + PLANE + p]!;
    dst[o + 2] = src[from + 2 * PLANE + p]!;
  }
}
