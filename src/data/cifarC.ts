import { open } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import fg from 'fast-glob';
import { sharedBytes, sharedInt32 } from './allocateShared.ts';
import { validateCifarCLabels } from './cifarCLabels.ts';
import { CIFAR_C_CORRUPTIONS, CIFAR_C_SEVERITIES, sortCorruptions } from '../ops/corruptions/names.ts';
import { imageBytes, type Dataset, type DatasetShape } from './dataset.ts';
import { readNpy } from './npy.ts';
import { readNpyHeader } from './npyHeader.ts';
import { requireDir } from './requireDir.ts';
import { decodeSeverity, isCorruptionFolders, openCorruptionFolders } from './corruptionFolders.ts';

/**
 * An opened, validated corruption benchmark folder. Holds labels and header facts; pixels are
 * read on demand. Two layouts: CIFAR-C's `.npy` files, or ImageNet-C's image folders.
 */
export interface CifarCHandle {
  readonly dir: string;
  /** `npy`: labels.npy and <corruption>.npy; `folders`: <corruption>/<severity>/<class>/<image>. */
  readonly layout: 'npy' | 'folders';
  /** Corruptions present, standard ones in the paper's order first, then extras, then others. */
  readonly corruptions: readonly string[];
  /** Standard corruptions with no file in the folder. */
  readonly missing: readonly string[];
  /** Images per severity (N; each file holds 5N). */
  readonly perSeverity: number;
  readonly shape: DatasetShape;
  /** All 5N labels, shared memory. */
  readonly labels: Int32Array;
  readonly classes: readonly string[];
  /** Per corruption: its .npy file and the byte offset of its pixel data, or its folder (offset 0). */
  readonly files: ReadonlyMap<string, { readonly path: string; readonly dataOffset: number }>;
  /** The folders layout: the image paths below each severity folder, in dataset order. */
  readonly images?: readonly string[];
}

/** Options for `openCifarC`. */
export interface OpenCifarCOptions {
  /** Class names in label order; default `'0'..'<max label>'` (the release ships no names). */
  readonly classes?: readonly string[];
}

/**
 * Opens a CIFAR-10-C / CIFAR-100-C folder: `labels.npy` (5N integer labels) and `<corruption>.npy`
 * files, each uint8 of shape (5N, H, W, 3), severity-major. Reads labels and every header, not pixels.
 *
 * @throws Error naming the folder or file with expected and actual: no labels.npy, no corruption
 *   files, wrong dtype or rank, a count that does not match labels.npy, a size that disagrees with the header
 */
export async function openCifarC(dir: string, options: OpenCifarCOptions = {}): Promise<CifarCHandle> {
  const what = 'CIFAR-C files (labels.npy and <corruption>.npy) or ImageNet-C folders (<corruption>/<severity>/<class>/<image>)';
  await requireDir(dir, what);
  if (isCorruptionFolders(dir)) {
    const f = await openCorruptionFolders(dir);
    const labels = sharedInt32(CIFAR_C_SEVERITIES * f.labels.length);
    for (let s = 0; s < CIFAR_C_SEVERITIES; s++) labels.set(f.labels, s * f.labels.length);
    const files = new Map(f.corruptions.map((c) => [c, { path: join(dir, c), dataOffset: 0 }]));
    const missing = CIFAR_C_CORRUPTIONS.filter((c) => !files.has(c));
    return { dir, layout: 'folders', corruptions: f.corruptions, missing, perSeverity: f.files.length, shape: f.shape, labels, classes: f.classes, files, images: f.files };
  }
  const found = await fg('*.npy', { cwd: dir, onlyFiles: true });
  if (!found.includes('labels.npy')) throw new Error(`${dir}: not a CIFAR-C folder: no labels.npy (found ${found.length} .npy files: ${found.slice(0, 5).join(', ') || 'none'})`);
  const names = sortCorruptions(found.filter((f) => f !== 'labels.npy').map((f) => f.slice(0, -4)));
  if (names.length === 0) throw new Error(`${dir}: not a CIFAR-C folder: labels.npy but no <corruption>.npy files (e.g. ${CIFAR_C_CORRUPTIONS[0]}.npy)`);
  const labelsPath = join(dir, 'labels.npy');
  const { labels, classes } = validateCifarCLabels(await readNpy(labelsPath), labelsPath, options.classes);
  let shape: DatasetShape | undefined;
  let shapeFrom = '';
  const files = new Map<string, { path: string; dataOffset: number }>();
  for (const name of names) {
    const path = join(dir, `${name}.npy`);
    const fh = await open(path, 'r');
    try {
      const h = await readNpyHeader(fh, path);
      const got = `(${h.shape.join(', ')})`;
      if (h.dtype !== '|u1') throw new Error(`${path}: expected dtype uint8 (|u1), got ${h.dtype}`);
      if (h.shape.length !== 4 || h.shape[3] !== 3) throw new Error(`${path}: expected shape (${labels.length}, H, W, 3), got ${got}`);
      if (h.shape[0] !== labels.length) {
        throw new Error(`${path}: has ${h.shape[0]} images, expected ${labels.length} (5 severities x ${labels.length / 5}) to match labels.npy`);
      }
      const [, height, width] = h.shape as [number, number, number, number];
      if (shape === undefined) [shape, shapeFrom] = [{ width, height, channels: 3 }, path];
      else if (shape.width !== width || shape.height !== height) {
        throw new Error(`${path}: images are ${height}x${width} (height x width), expected ${shape.height}x${shape.width} like ${shapeFrom}`);
      }
      const size = (await fh.stat()).size;
      if (size !== h.dataOffset + h.dataBytes) {
        throw new Error(`${path}: header shape ${got} needs ${h.dataOffset} + ${h.dataBytes} = ${h.dataOffset + h.dataBytes} bytes, actual ${size} bytes`);
      }
      files.set(name, { path, dataOffset: h.dataOffset });
    } finally {
      await fh.close();
    }
  }
  const missing = CIFAR_C_CORRUPTIONS.filter((c) => !files.has(c));
  return { dir, layout: 'npy', corruptions: names, missing, perSeverity: labels.length / 5, shape: shape!, labels, classes, files };
}

/**
 * One corruption as a dataset: severity `1..5` alone (N images, reading only that block of the
 * file), or all five in severity order (5N images) when `severity` is omitted.
 *
 * @throws Error naming the folder and the available corruptions for an unknown name; RangeError
 *   for a severity outside 1..5; Error naming the file if it shrank since `openCifarC`
 */
export async function readCorruption(handle: CifarCHandle, corruption: string, severity?: number): Promise<Dataset> {
  const file = handle.files.get(corruption);
  if (file === undefined) throw new Error(`${handle.dir}: no corruption '${corruption}'; available: ${handle.corruptions.join(', ')}`);
  if (severity !== undefined && (!Number.isInteger(severity) || severity < 1 || severity > CIFAR_C_SEVERITIES)) {
    throw new RangeError(`readCorruption ${corruption}: severity must be an integer 1..${CIFAR_C_SEVERITIES} (or omitted for all), got ${severity}`);
  }
  const n = handle.perSeverity;
  const [start, count] = severity === undefined ? [0, 5 * n] : [(severity - 1) * n, n];
  const size = imageBytes(handle.shape);
  const pixels = sharedBytes(count * size);
  if (handle.layout === 'folders') {
    for (let s = start / n; s < (start + count) / n; s++) {
      await decodeSeverity(join(file.path, String(s + 1)), handle.images!, handle.shape, pixels.subarray((s - start / n) * n * size));
    }
  } else await readNpyBlock(file, start, count, size, pixels);
  const labels = sharedInt32(count);
  labels.set(handle.labels.subarray(start, start + count));
  const name = `${basename(resolve(handle.dir))}/${corruption}${severity === undefined ? '' : `/s${severity}`}`;
  return { name, count, shape: handle.shape, pixels, labels, classes: handle.classes, source: [file.path] };
}

/** Reads images [start, start + count) of `size` bytes each from an .npy file's pixel data, in bounded reads. */
async function readNpyBlock(file: { readonly path: string; readonly dataOffset: number }, start: number, count: number, size: number, pixels: Uint8Array): Promise<void> {
  const offset = start * size;
  const fh = await open(file.path, 'r');
  try {
    for (let done = 0; done < pixels.length; ) {
      // Bounded reads: one read() call cannot move 2 GiB or more.
      const want = Math.min(pixels.length - done, 1 << 30);
      const { bytesRead } = await fh.read(pixels, done, want, file.dataOffset + offset + done);
      if (bytesRead === 0) {
        throw new Error(`${file.path}: file shrank since openCifarC: images [${start}, ${start + count}) need ${pixels.length} bytes from offset ${file.dataOffset + offset}, got ${done}`);
      }
      done += bytesRead;
    }
  } finally {
    await fh.close();
  }
}
