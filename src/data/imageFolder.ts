import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, join, relative, resolve, sep } from 'node:path';
import fg from 'fast-glob';
import sharp from 'sharp';
import { sharedBytes, sharedInt32 } from './allocateShared.ts';
import { writeFileAtomic, writeJsonAtomic } from './atomic.ts';
import type { CifarSplit } from './cifar.ts';
import type { Dataset } from './dataset.ts';
import { IMAGE_EXTENSIONS } from './detectDataset.ts';
import { mapLimited } from './mapLimited.ts';
import { presetResize } from '../ops/corruptions/presetResize.ts';
import type { PresetInfo } from '../ops/corruptions/presets.ts';

const PATTERN = `**/*.{${IMAGE_EXTENSIONS.join(',')}}`;

/** A target size: the shorter side is resized to cover it, then the centre is cropped (torchvision's Resize + CenterCrop). */
export interface ImageSize {
  readonly height: number;
  readonly width: number;
}

export interface ImageFolderOptions {
  /** Resize and centre-crop every image to this size; without it all images must share one size. */
  readonly size?: ImageSize | undefined;
  /** Instead of `size`: bring every image to a corruption generator's size as its script does (see presetResize.ts). */
  readonly presetResize?: PresetInfo['resize'] | undefined;
  /** What the error for images of several sizes suggests (default: the `size=` parameter). */
  readonly mixedSizesHint?: string | undefined;
  /** Skip files that cannot be decoded (counted in `skipped`) instead of failing on the first. */
  readonly skipBad?: boolean | undefined;
  /** Where decoded arrays are kept between runs (default: `$XDG_CACHE_HOME/fourier-augmix/images`, else `~/.cache/...`). */
  readonly cacheDir?: string | undefined;
  /** Called as images are decoded (not on a cache hit). */
  readonly onProgress?: ((done: number, total: number) => void) | undefined;
}

/** An image folder's split, decoded, with what the loading did. */
export interface ImageFolderDataset extends Dataset {
  /** Files that could not be decoded and were skipped (`skipBad`), relative to the folder. */
  readonly skipped: readonly string[];
  /** True when the pixels came from the cache. */
  readonly cached: boolean;
}

/** The splits an image folder may have, in the order a `test` split falls back through. */
const SPLIT_FOLDERS: Readonly<Record<CifarSplit, readonly string[]>> = { train: ['train'], test: ['test', 'val'] };
const ALL_SPLITS = ['train', 'val', 'test'];

/** Sorted subfolder names (code point order, as Python's sorted and so torchvision's ImageFolder). */
export function subfolders(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort(byCodePoint);
}

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Which folder holds `split`: `<dir>/<split>` when the folder has splits (`train`, `val`, `test`;
 * `test` falls back to `val`), else `dir` itself for every split.
 */
export function splitFolder(dir: string, split: CifarSplit): string {
  const subs = subfolders(dir);
  const splits = subs.filter((s) => ALL_SPLITS.includes(s));
  if (splits.length === 0) return dir;
  const found = SPLIT_FOLDERS[split].find((s) => splits.includes(s));
  if (found === undefined) throw new Error(`${dir}: has the splits ${splits.join(', ')} but no ${SPLIT_FOLDERS[split].join(' or ')} folder`);
  return join(dir, found);
}

/** The classes and files of an image folder split, in ImageFolder order: classes by name, files by path within each class. */
export function listImageFiles(root: string, dir: string): { classes: string[]; files: { path: string; label: number }[] } {
  const classes = subfolders(dir);
  if (classes.length === 0) throw new Error(`${dir}: no class folders (expected <class>/<image> with ${IMAGE_EXTENSIONS.join(', ')} images)`);
  const files: { path: string; label: number }[] = [];
  classes.forEach((name, label) => {
    const found = fg.sync(PATTERN, { cwd: join(dir, name), caseSensitiveMatch: false, onlyFiles: true, followSymbolicLinks: true });
    if (found.length === 0) throw new Error(`${join(relative(root, dir), name) || name}: class folder with no images (${IMAGE_EXTENSIONS.join(', ')})`);
    // By folder, then by name within it: os.walk sorted, as torchvision's ImageFolder lists them.
    const key = (f: string): [string, string] => {
      const i = f.lastIndexOf('/');
      return [f.slice(0, Math.max(0, i)), f.slice(i + 1)];
    };
    found.sort((a, b) => {
      const [da, fa] = key(a);
      const [db, fb] = key(b);
      return byCodePoint(da, db) || byCodePoint(fa, fb);
    });
    for (const f of found) files.push({ path: join(dir, name, f), label });
  });
  return { classes, files };
}

function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  return join(base, 'fourier-augmix', 'images');
}

/**
 * Decodes one file to RGB uint8 (greyscale replicated, alpha dropped), resized and cropped to
 * `size` if given (sharp, Lanczos 3), or brought to a generator's size (Pillow's bilinear).
 */
export async function decodeImage(path: string, options: ImageFolderOptions = {}): Promise<{ data: Uint8Array; width: number; height: number }> {
  const { size } = options;
  let img = sharp(path, { failOn: 'error' }).removeAlpha().toColourspace('srgb');
  if (size) img = img.resize(size.width, size.height, { fit: 'cover', position: 'centre', kernel: 'lanczos3' });
  // 8 bits per channel whatever the file holds (16-bit PNGs are scaled down).
  const { data, info } = await img.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels, expected 3`);
  if (!options.presetResize) return { data, width: info.width, height: info.height };
  return presetResize({ data, width: info.width, height: info.height, channels: 3 }, options.presetResize);
}

/**
 * Reads one split of an image folder (torchvision's ImageFolder layout: `<dir>/<split>/<class>/<image>`
 * or `<dir>/<class>/<image>`), PNG, JPEG or WebP, as a dataset in ImageFolder order (classes by
 * folder name, files by name within each class). The decoded array is cached, keyed by the file
 * list, sizes, modification times and `size`, so a second run starts at once.
 *
 * @throws Error naming the folder or file: no class folders, an empty class, train and test with
 *   different classes, an image that cannot be decoded (unless `skipBad`), images of several sizes
 *   without `size`
 */
export async function readImageFolder(dir: string, split: CifarSplit, options: ImageFolderOptions = {}): Promise<ImageFolderDataset> {
  const root = resolve(dir);
  const folder = splitFolder(root, split);
  const { classes, files } = listImageFiles(root, folder);
  if (folder !== root) {
    // Every split must name the same classes, or a label would mean different things in each.
    for (const other of subfolders(root).filter((s) => ALL_SPLITS.includes(s) && join(root, s) !== folder)) {
      const theirs = subfolders(join(root, other));
      if (theirs.join('\0') !== classes.join('\0')) {
        const missing = theirs.filter((c) => !classes.includes(c));
        const extra = classes.filter((c) => !theirs.includes(c));
        throw new Error(
          `${root}: the splits ${relative(root, folder)} and ${other} have different classes` +
            `${missing.length ? `; only in ${other}: ${missing.slice(0, 5).join(', ')}` : ''}${extra.length ? `; only in ${relative(root, folder)}: ${extra.slice(0, 5).join(', ')}` : ''}`,
        );
      }
    }
  }
  const name = `${basename(root)}/${folder === root ? split : basename(folder)}`;
  const stats = files.map((f) => statSync(f.path));
  const key = createHash('sha256')
    .update(JSON.stringify({ v: 1, size: options.size ?? null, presetResize: options.presetResize ?? null, skipBad: options.skipBad === true, files: files.map((f, i) => [f.path, f.label, stats[i]!.size, stats[i]!.mtimeMs]) }))
    .digest('hex')
    .slice(0, 32);
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const rel = (p: string): string => relative(root, p).split(sep).join('/');
  const cached = await readCache(cacheDir, key);
  const loaded = cached ? { ...cached, cached: true } : { ...(await decodeFiles(files, folder, rel, options, cacheDir, key)), cached: false };
  const kept = files.filter((f) => !loaded.skipped.includes(rel(f.path)));
  const labels = sharedInt32(kept.length);
  kept.forEach((f, i) => (labels[i] = f.label));
  return { name, count: kept.length, shape: loaded.shape, pixels: loaded.pixels, labels, classes, source: kept.map((f) => f.path), skipped: loaded.skipped, cached: loaded.cached };
}

/** Decodes every file into one array (skipping unreadable ones with `skipBad`) and caches it under `key`. */
async function decodeFiles(
  files: readonly { path: string }[],
  folder: string,
  rel: (path: string) => string,
  options: ImageFolderOptions,
  cacheDir: string,
  key: string,
): Promise<CacheHeader & { pixels: Uint8Array }> {
  let done = 0;
  const decoded = await mapLimited(files, 8, async (f) => {
    try {
      return await decodeImage(f.path, options);
    } catch (err) {
      if (options.skipBad) return null;
      throw new Error(`${f.path}: not a readable image (${(err as Error).message.split('\n', 1)[0]}); skipBad=true skips such files`, { cause: err });
    } finally {
      options.onProgress?.(++done, files.length);
    }
  });
  const kept = files.filter((_, i) => decoded[i] !== null);
  const skipped = files.filter((_, i) => decoded[i] === null).map((f) => rel(f.path));
  if (kept.length === 0) throw new Error(`${folder}: none of the ${files.length} images could be decoded`);
  const images = decoded.filter((d): d is NonNullable<typeof d> => d !== null);
  const { width, height } = images[0]!;
  const odd = images.findIndex((d) => d.width !== width || d.height !== height);
  if (odd >= 0) {
    throw new Error(
      `${kept[odd]!.path}: ${images[odd]!.height}x${images[odd]!.width} pixels (height x width), but ${kept[0]!.path} is ${height}x${width}; ` +
        (options.mixedSizesHint ?? 'give size=H or size=HxW to resize (shorter side) and centre-crop every image'),
    );
  }
  const bytes = width * height * 3;
  const pixels = sharedBytes(kept.length * bytes);
  images.forEach((d, i) => pixels.set(d.data, i * bytes));
  const header = { shape: { width, height, channels: 3 }, skipped, count: kept.length };
  await writeCache(cacheDir, key, header, pixels);
  return { ...header, pixels };
}

interface CacheHeader {
  readonly shape: { width: number; height: number; channels: number };
  readonly skipped: string[];
  readonly count: number;
}

async function readCache(dir: string, key: string): Promise<(CacheHeader & { pixels: Uint8Array }) | null> {
  const header = join(dir, `${key}.json`);
  const body = join(dir, `${key}.u8`);
  if (!existsSync(header) || !existsSync(body)) return null;
  try {
    const h = JSON.parse(await readFile(header, 'utf8')) as CacheHeader;
    const data = await readFile(body);
    // A cache file of the wrong length (a crash mid-write cannot leave one, but a disk can) is ignored.
    if (data.length !== h.count * h.shape.width * h.shape.height * h.shape.channels) return null;
    const pixels = sharedBytes(data.length);
    pixels.set(data);
    return { ...h, pixels };
  } catch {
    return null;
  }
}

async function writeCache(dir: string, key: string, header: CacheHeader, pixels: Uint8Array): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    // The pixels first: a header is only ever beside a complete array.
    await writeFileAtomic(join(dir, `${key}.u8`), pixels);
    await writeJsonAtomic(join(dir, `${key}.json`), header);
  } catch {
    // A cache that cannot be written (read-only home, full disk) only costs the next run a decode.
  }
}
