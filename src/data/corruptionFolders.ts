import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, extname, join, relative, sep } from 'node:path';
import sharp from 'sharp';
import type { Dataset, DatasetShape } from './dataset.ts';
import { decodeImage, listImageFiles, subfolders } from './imageFolder.ts';
import { mapLimited } from './mapLimited.ts';
import { CIFAR_C_SEVERITIES, sortCorruptions } from '../ops/corruptions/names.ts';
import { InputError } from '../inputError.ts';

/**
 * The ImageNet-C layout: `<corruption>/<severity>/<class>/<image>`, as make_imagenet_c.py and
 * make_tinyimagenet_c.py save their output (each image under its input's name, through
 * `Image.fromarray(x).save(path, quality=85, optimize=True)`: JPEG at quality 85 for a .jpg or
 * .jpeg name, PNG for .png, WebP at quality 85 for .webp).
 */

/** JPEG as Pillow 9.4 writes it at quality 85: baseline, 4:2:0, the standard tables. */
const JPEG = { quality: 85, chromaSubsampling: '4:2:0', trellisQuantisation: false, overshootDeringing: false, optimiseCoding: true, quantisationTable: 0 } as const;

/**
 * Where each image of `ds` goes inside `<corruption>/<severity>/`: its path below the split folder
 * (`<class>/<file>`) for an image folder, else `<class>/<index>.jpg` (CIFAR binaries have no file
 * names). With `lossless`, every name ends in .png and is written as PNG.
 */
export function corruptedImagePaths(ds: Dataset, splitFolder: string | null, lossless: boolean): string[] {
  const digits = String(ds.count - 1).length;
  const paths = Array.from({ length: ds.count }, (_, i) => {
    const path =
      splitFolder !== null && ds.source.length === ds.count
        ? relative(splitFolder, ds.source[i]!).split(sep).join('/')
        : `${ds.classes[ds.labels[i]!]}/${String(i).padStart(digits, '0')}.jpg`;
    return lossless ? `${path.slice(0, path.length - extname(path).length)}.png` : path;
  });
  // `a.jpg` and `a.png` in one class would both become `a.png`.
  const seen = new Map<string, number>();
  paths.forEach((p, i) => {
    const j = seen.get(p);
    if (j !== undefined) throw new InputError(`${ds.source[j]} and ${ds.source[i]} would both be written as ${p}; rename one (or leave out --lossless)`);
    seen.set(p, i);
  });
  return paths;
}

/** Encodes one HWC RGB image by the extension of `path`. */
function encode(pixels: Uint8Array, shape: DatasetShape, path: string): Promise<Buffer> {
  const img = sharp(pixels, { raw: { width: shape.width, height: shape.height, channels: 3 } });
  const ext = extname(path).toLowerCase();
  if (ext === '.jpg' || ext === '.jpeg') return img.jpeg(JPEG).toBuffer();
  if (ext === '.webp') return img.webp({ quality: 85 }).toBuffer();
  return img.png().toBuffer();
}

/**
 * Writes one corruption's 5N images (severity-major, as `corruptDataset` hands them over) to
 * `<output>/<corruption>/<severity>/<paths[i]>`. They are written into a folder beside it, which
 * then replaces any earlier `<corruption>/` whole: a rerun leaves no image of the run before, and
 * an interrupted one leaves the earlier folder as it was. Stops at the first failure, or when
 * `signal` aborts.
 */
export async function writeCorruptionFolders(
  output: string,
  corruption: string,
  pixels: Uint8Array,
  shape: DatasetShape,
  paths: readonly string[],
  signal?: AbortSignal,
): Promise<void> {
  const n = paths.length;
  const size = shape.width * shape.height * 3;
  const final = join(output, corruption);
  const building = join(output, `.${corruption}.${process.pid}.partial`);
  await rm(building, { recursive: true, force: true });
  const madeDirs = new Set<string>();
  let failed = false;
  const one = async (j: number): Promise<void> => {
    const rel = join(String(Math.floor(j / n) + 1), paths[j % n]!);
    const path = join(building, rel);
    const dir = dirname(path);
    if (!madeDirs.has(dir)) {
      await mkdir(dir, { recursive: true });
      madeDirs.add(dir);
    }
    try {
      await writeFile(path, await encode(pixels.subarray(j * size, (j + 1) * size), shape, path));
    } catch (err) {
      throw new Error(`${join(final, rel)}: could not write the image (${(err as Error).message})`, { cause: err });
    }
  };
  // A few encodes in flight (sharp runs them on libuv's threads); every lane stops once one fails.
  let next = 0;
  const lanes = Array.from({ length: 8 }, async () => {
    while (next < CIFAR_C_SEVERITIES * n && !failed && !signal?.aborted) {
      try {
        await one(next++);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  });
  const settled = await Promise.allSettled(lanes);
  const error = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (error || signal?.aborted) {
    await rm(building, { recursive: true, force: true });
    if (error) throw error.reason;
    return;
  }
  await rm(final, { recursive: true, force: true });
  await rename(building, final);
}

/** What `openCorruptionFolders` finds: per corruption its folder, and the shared listing of one severity. */
export interface CorruptionFolders {
  readonly corruptions: readonly string[];
  readonly classes: readonly string[];
  /** Image paths below a severity folder, in ImageFolder order, and their labels. */
  readonly files: readonly string[];
  readonly labels: Int32Array;
  readonly shape: DatasetShape;
}

/** The class list in `<dir>/corrupt.json`, or null without one. */
function recordedClasses(dir: string): string[] | null {
  const path = join(dir, 'corrupt.json');
  if (!existsSync(path)) return null;
  let classes: unknown;
  try {
    classes = (JSON.parse(readFileSync(path, 'utf8')) as { classes?: unknown }).classes;
  } catch (err) {
    throw new Error(`${path}: not valid JSON (${(err as Error).message})`, { cause: err });
  }
  if (!Array.isArray(classes) || !classes.every((c) => typeof c === 'string')) throw new Error(`${path}: 'classes' is not a list of names`);
  return classes as string[];
}

/** True when `dir` holds `<corruption>/<severity>/...` folders (and no labels.npy). */
export function isCorruptionFolders(dir: string): boolean {
  if (existsSync(join(dir, 'labels.npy'))) return false;
  return subfolders(dir).some((c) => existsSync(join(dir, c, '1')) && subfolders(join(dir, c)).every((s) => /^[1-5]$/.test(s)));
}

/**
 * Opens an ImageNet-C layout folder: every corruption must hold severities 1-5, and every severity
 * folder the same classes and file names (one dataset, corrupted five ways).
 *
 * @throws Error naming the folder that differs and how
 */
export async function openCorruptionFolders(dir: string): Promise<CorruptionFolders> {
  const corruptions = sortCorruptions(subfolders(dir).filter((c) => existsSync(join(dir, c, '1'))));
  if (corruptions.length === 0) throw new Error(`${dir}: no <corruption>/<severity>/<class>/<image> folders`);
  // Paths below a severity folder, in ImageFolder order (classes by name, then folder and name).
  const list = (folder: string): string[] => listImageFiles(folder, folder).files.map((f) => relative(folder, f.path).split(sep).join('/'));
  const first = join(dir, corruptions[0]!, '1');
  const files = list(first);
  for (const c of corruptions) {
    for (let s = 1; s <= CIFAR_C_SEVERITIES; s++) {
      const folder = join(dir, c, String(s));
      if (!existsSync(folder)) throw new Error(`${folder}: missing (every corruption needs severities 1-${CIFAR_C_SEVERITIES})`);
      const theirs = list(folder);
      const odd = theirs.length !== files.length ? -1 : theirs.findIndex((f, i) => f !== files[i]);
      if (theirs.length !== files.length || odd >= 0) {
        throw new Error(
          `${folder}: holds ${theirs.length} images${odd >= 0 ? ` (${theirs[odd]} where ${first} has ${files[odd]})` : ''}, but ${first} holds ${files.length}; every severity must hold the same files`,
        );
      }
    }
  }
  // Class indices: the class list `corrupt` recorded (a subset may leave classes without images),
  // else the class folders of a severity, sorted (ImageNet-C's 1,000 wnids give the usual indices).
  const classes = recordedClasses(dir) ?? subfolders(first);
  const labels = Int32Array.from(files, (f) => {
    const c = classes.indexOf(f.slice(0, f.indexOf('/')));
    if (c < 0) throw new Error(`${join(first, f)}: class folder '${f.slice(0, f.indexOf('/'))}' is not among the classes of ${join(dir, 'corrupt.json')}`);
    return c;
  });
  const meta = await sharp(join(first, files[0]!)).metadata();
  if (!meta.width || !meta.height) throw new Error(`${join(first, files[0]!)}: not a readable image`);
  return { corruptions, classes, files, labels, shape: { width: meta.width, height: meta.height, channels: 3 } };
}

/**
 * The images of one severity folder (`files` as `openCorruptionFolders` listed them), decoded to
 * RGB uint8 into `out` (HWC, one after another).
 *
 * @throws Error naming the file that cannot be decoded or has another size
 */
export async function decodeSeverity(folder: string, files: readonly string[], shape: DatasetShape, out: Uint8Array): Promise<void> {
  const size = shape.width * shape.height * 3;
  await mapLimited(files, 8, async (file, i) => {
    const path = join(folder, file);
    const decoded = await decodeImage(path).catch((err: Error) => {
      throw new Error(`${path}: not a readable image (${err.message.split('\n', 1)[0]})`, { cause: err });
    });
    if (decoded.width !== shape.width || decoded.height !== shape.height) {
      throw new Error(`${path}: ${decoded.height}x${decoded.width}, expected ${shape.height}x${shape.width} like the other images`);
    }
    out.set(decoded.data, i * size);
  });
}
