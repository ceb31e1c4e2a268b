import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { concat, defer, finalize, map, mergeMap, type Observable } from 'rxjs';
import { writeJsonAtomic } from '../data/atomic.ts';
import { readCifar10, readCifar100, type CifarSplit } from '../data/cifar.ts';
import { subset, type Dataset } from '../data/dataset.ts';
import { detectDataset } from '../data/detectDataset.ts';
import { writeNpy } from '../data/npy.ts';
import { CIFAR_C_SEVERITIES } from '../ops/corruptions/names.ts';
import { ALL_CORRUPTION_NAMES, CORRUPTIONS, NOT_IMPLEMENTED } from '../ops/corruptions/registry.ts';
import { didYouMean } from '../ops/nearest.ts';
import { corruptDataset } from '../streams/corrupt.ts';
import { event, type PipelineEvent } from '../pipeline/events.ts';
import { UsageError } from '../pipeline/usageError.ts';
import { resolveDataDir } from './loadDataset.ts';
import { FOLDER_LOCK, takeLock } from '../data/writerLock.ts';
import { readImageFolder, splitFolder } from '../data/imageFolder.ts';
import { corruptedImagePaths, writeCorruptionFolders } from '../data/corruptionFolders.ts';
import { sharedBytes } from '../data/allocateShared.ts';
import { imageAt } from '../ops/image.ts';
import { presetResize, presetSide } from '../ops/corruptions/presetResize.ts';
import { CORRUPTION_PRESETS, PRESETS, presetForSize, presetSizes, type CorruptionPreset } from '../ops/corruptions/presets.ts';

/** What to corrupt and how: validated values (`fourier-augmix corrupt` checks its options against `corruptParams`). */
export interface CorruptSpec {
  /** The clean dataset folder (CIFAR-10 or CIFAR-100 binary, or an image folder), resolved against `cwd`. */
  readonly input: string;
  /** Where the `.npy` files go (created if missing), resolved against `cwd`. */
  readonly output: string;
  readonly split: CifarSplit;
  /** Corruption names; default every implemented one. */
  readonly corruptions?: readonly string[] | undefined;
  readonly seed: number;
  /**
   * Whose constants; images of another size are brought to its size as its script does. Default:
   * the preset of the images' size (32, 64 or 224), and any other size is refused.
   */
  readonly preset?: CorruptionPreset | undefined;
  readonly workers: number;
  /** Only the first `limit` images of the split. */
  readonly limit?: number | undefined;
  /** Images per worker task (default `CORRUPT_CHUNK_SIZE`). */
  readonly chunkSize?: number | undefined;
  /** `npy` (CIFAR-10-C's layout, the default) or `folders` (ImageNet-C's `<corruption>/<severity>/<class>/<image>`). */
  readonly format?: CorruptFormat | undefined;
  /** With `folders`: PNG for every image instead of the input's format (JPEG at quality 85 for .jpg). */
  readonly lossless?: boolean | undefined;
}

export const CORRUPT_FORMATS = ['npy', 'folders'] as const;
export type CorruptFormat = (typeof CORRUPT_FORMATS)[number];

/** The file `corrupt` writes into its output folder: how it was made, and whether it finished. */
export const CORRUPT_RECORD = 'corrupt.json';

/**
 * Refuses a folder that an interrupted or failed `corrupt` left: its `corrupt.json` says
 * `complete: false`. Folders without one (the published releases) pass.
 *
 * @throws UsageError naming the folder and what is missing
 */
export function checkCorruptRecord(dir: string): void {
  const path = join(dir, CORRUPT_RECORD);
  if (!existsSync(path)) return;
  let r: { complete?: boolean; planned?: string[]; corruptions?: string[] };
  try {
    r = JSON.parse(readFileSync(path, 'utf8')) as typeof r;
  } catch (err) {
    throw new UsageError(`${path}: not valid JSON (${(err as Error).message}); run \`corrupt\` into ${dir} again`, { cause: err });
  }
  if (r.complete !== false) return;
  const missing = (r.planned ?? []).filter((c) => !(r.corruptions ?? []).includes(c));
  throw new UsageError(
    `${dir}: an unfinished \`corrupt\` run (${r.corruptions?.length ?? 0} of ${r.planned?.length ?? '?'} corruptions written${missing.length ? `; missing ${missing.join(', ')}` : ''}); run \`corrupt\` into it again`,
  );
}

/** Images per worker task: enough to amortise a task's overhead, few enough to spread over the workers. */
export const CORRUPT_CHUNK_SIZE = 64;

/** The resolved run: what `corruptEvents` needs. */
export interface CorruptPlan {
  readonly dataset: Dataset;
  readonly output: string;
  readonly corruptions: readonly string[];
  readonly seed: number;
  readonly preset: CorruptionPreset;
  /** How images were brought to the preset's size (when a preset was asked for), or null. */
  readonly resized: string | null;
  /** With the folders format: each image's path below `<corruption>/<severity>/`; null for .npy. */
  readonly imagePaths: readonly string[] | null;
  readonly workers: number;
  readonly chunkSize: number;
}

/** The lines of `corrupt --list`: implemented corruptions with their fidelity note, then the missing ones (none now). */
export function listCorruptions(): string[] {
  const lines = ['implemented corruptions (release order; * = one of the 4 extras):'];
  const extra = (n: string): string => (ALL_CORRUPTION_NAMES.indexOf(n) >= 15 ? '*' : ' ');
  for (const [name, c] of CORRUPTIONS) lines.push(`  ${name.padEnd(18)}${extra(name)} ${c.fidelity}`);
  if (NOT_IMPLEMENTED.size > 0) {
    lines.push('not implemented yet:');
    for (const [name, why] of NOT_IMPLEMENTED) lines.push(`  ${name.padEnd(18)}${extra(name)} ${why}`);
  }
  return lines;
}

/** Resolves the corruption names: every implemented one by default or for `all`; an unknown or unimplemented name is a usage error. */
export function resolveCorruptions(names: readonly string[] | undefined): string[] {
  if (names === undefined || (names.length === 1 && names[0] === 'all')) return [...CORRUPTIONS.keys()];
  for (const n of names) {
    if (CORRUPTIONS.has(n)) continue;
    if (NOT_IMPLEMENTED.has(n))
      throw new UsageError(`corrupt: '${n}' is not implemented yet (${NOT_IMPLEMENTED.get(n)}); implemented: ${[...CORRUPTIONS.keys()].join(', ')}`);
    throw new UsageError(`corrupt: unknown corruption '${n}'${didYouMean(n, [...CORRUPTIONS.keys()])}; implemented: ${[...CORRUPTIONS.keys()].join(', ')}`);
  }
  return [...new Set(names)];
}

/** How a preset's script brings images to its size, in words. */
function resizeWords(preset: CorruptionPreset): string {
  const { resize, script } = PRESETS[preset];
  const how = resize.kind === 'exact' ? `Resize((${resize.side}, ${resize.side}))` : `Resize(${resize.shorter}), CenterCrop(${resize.crop})`;
  return `brought to ${presetSide(resize)} x ${presetSide(resize)} as ${script} does (${how}, Pillow's bilinear filter); images of that size are kept as they are`;
}

/** Every image of `ds` brought to the preset's size (for CIFAR binaries; image folders do it while decoding). */
function resizeDataset(ds: Dataset, preset: CorruptionPreset): Dataset {
  const side = presetSide(PRESETS[preset].resize);
  const bytes = side * side * 3;
  const pixels = sharedBytes(ds.count * bytes);
  for (let i = 0; i < ds.count; i++) pixels.set(presetResize(imageAt(ds.pixels, ds.shape, i), PRESETS[preset].resize).data, i * bytes);
  return { ...ds, shape: { height: side, width: side, channels: 3 }, pixels };
}

/** Checks the corruption names and reads the input dataset (CIFAR-10 / CIFAR-100 binary or an image folder), brought to the preset's size. */
export async function planCorrupt(o: CorruptSpec, cwd: string): Promise<CorruptPlan> {
  const corruptions = resolveCorruptions(o.corruptions);
  if (o.lossless && o.format !== 'folders') throw new UsageError('corrupt: --lossless applies to --format folders (the .npy layout is lossless already)');
  const input = resolveDataDir(o.input, cwd);
  const kind = await detectDataset(input).catch((err: Error) => {
    throw new UsageError(`corrupt: --input ${err.message}`);
  });
  if (kind === 'cifar-c') throw new UsageError(`corrupt: --input ${input} is already a CIFAR-C folder; give the clean dataset (CIFAR-10 or CIFAR-100 binary)`);
  const folderOptions = o.preset
    ? { presetResize: PRESETS[o.preset].resize }
    : { mixedSizesHint: `give --preset (${CORRUPTION_PRESETS.join(', ')}) to bring every image to that generator's size` };
  let dataset =
    kind === 'cifar10-bin'
      ? await readCifar10(input, o.split)
      : kind === 'cifar100-bin'
        ? await readCifar100(input, o.split)
        : await readImageFolder(input, o.split, folderOptions).catch((err: Error) => {
            throw new UsageError(`corrupt: --input ${err.message}`, { cause: err });
          });
  if (dataset.shape.channels !== 3) throw new UsageError(`corrupt: ${dataset.name} has ${dataset.shape.channels} channels; the corruptions need RGB`);
  const { height, width } = dataset.shape;
  const preset = o.preset ?? presetForSize(height, width);
  if (!preset) {
    throw new UsageError(
      `corrupt: ${dataset.name} has ${height}x${width} images; the corruptions have constants for ${presetSizes()}; ` +
        `give --preset (${CORRUPTION_PRESETS.join(', ')}) to bring the images to one of these sizes as its script does`,
    );
  }
  const maxLabel = dataset.labels.reduce((m, l) => (l > m ? l : m), 0);
  if (o.format !== 'folders' && maxLabel > 255)
    throw new UsageError(`corrupt: ${dataset.name} has label ${maxLabel}; labels.npy is uint8 (as in CIFAR-10-C), so labels must be <= 255`);
  if (o.limit !== undefined && o.limit < dataset.count) dataset = subset(dataset, 0, o.limit);
  const side = PRESETS[preset].size;
  if (height !== side || width !== side) dataset = resizeDataset(dataset, preset);
  const folder = kind === 'image-folder' ? splitFolder(input, o.split) : null;
  return {
    dataset,
    output: resolve(cwd, o.output),
    corruptions,
    seed: o.seed,
    preset,
    resized: o.preset ? resizeWords(preset) : null,
    imagePaths: o.format === 'folders' ? corruptedImagePaths(dataset, folder, o.lossless === true) : null,
    workers: o.workers,
    chunkSize: o.chunkSize ?? CORRUPT_CHUNK_SIZE,
  };
}

/**
 * Runs a plan: writes `labels.npy` (the N labels repeated 5 times, uint8), one `<corruption>.npy`
 * per corruption (uint8, 5N x H x W x 3, severity-major) and `corrupt.json` (how the folder was
 * made), each atomically, reporting progress as pipeline events for `render`.
 */
export function corruptEvents(plan: CorruptPlan): Observable<PipelineEvent> {
  const { dataset: ds, output } = plan;
  const { width, height, channels } = ds.shape;
  let prepared: Promise<void> | null = null;
  const prepare = (): Promise<void> =>
    (prepared ??= (async () => {
      await mkdir(output, { recursive: true });
      const labels = new Uint8Array(CIFAR_C_SEVERITIES * ds.count);
      for (let s = 0; s < CIFAR_C_SEVERITIES; s++) for (let i = 0; i < ds.count; i++) labels[s * ds.count + i] = ds.labels[i]!;
      await writeNpy(join(output, 'labels.npy'), labels, [CIFAR_C_SEVERITIES * ds.count]);
    })());
  const written: string[] = [];
  const record = (complete: boolean): Promise<void> =>
    writeJsonAtomic(join(output, CORRUPT_RECORD), {
      generator: 'fourier-augmix corrupt',
      complete,
      format: plan.imagePaths ? 'folders' : 'npy',
      preset: plan.preset,
      constants: `${PRESETS[plan.preset].release} (${PRESETS[plan.preset].script})`,
      resized: plan.resized,
      source: ds.name,
      classes: ds.classes,
      files: ds.source,
      images: ds.count,
      seed: plan.seed,
      planned: plan.corruptions,
      corruptions: written,
    });
  const events = corruptDataset(ds, {
    corruptions: plan.corruptions,
    seed: plan.seed,
    preset: plan.preset,
    chunkSize: plan.chunkSize,
    workers: plan.workers,
    write: async (name, pixels, signal) => {
      if (plan.imagePaths) await writeCorruptionFolders(output, name, pixels, ds.shape, plan.imagePaths, signal);
      else {
        await prepare();
        await writeNpy(join(output, `${name}.npy`), pixels, [CIFAR_C_SEVERITIES * ds.count, height, width, channels]);
      }
      if (signal.aborted) return;
      written.push(name);
      // Rewritten after each corruption: `complete` tells a reader whether the run finished.
      await record(written.length === plan.corruptions.length);
    },
  });
  // One writer per output folder: two runs into one folder would each overwrite the other's files.
  return defer(async () => {
    await mkdir(output, { recursive: true });
    const lock = await takeLock(join(output, FOLDER_LOCK), `output folder ${output}`);
    // Before any image file: a folder left by an interrupted run says so (see `checkCorruptRecord`).
    await record(false).catch((err: unknown) => {
      lock.release();
      throw err;
    });
    return lock;
  }).pipe(
    mergeMap((lock) =>
      concat(
        lock.notice ? [event.log(lock.notice)] : [],
        [
          event.log(
            `corrupt: the constants of ${PRESETS[plan.preset].release} (${PRESETS[plan.preset].script})${plan.resized ? `; images ${plan.resized}` : ''}`,
          ),
        ],
        events.pipe(
          map((e): PipelineEvent =>
            e.type === 'progress'
              ? event.progress('corrupt', e.done, e.total, 'images', e.corruption)
              : event.artifact(
                  join(output, plan.imagePaths ? e.corruption : `${e.corruption}.npy`),
                  `${e.corruption}, ${CIFAR_C_SEVERITIES} x ${ds.count} images`,
                ),
          ),
        ),
      ).pipe(finalize(lock.release)),
    ),
  );
}
