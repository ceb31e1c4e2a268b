import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { map, type Observable } from 'rxjs';
import { writeJsonAtomic } from '../data/atomic.ts';
import { readCifar10, readCifar100, type CifarSplit } from '../data/cifar.ts';
import { subset, type Dataset } from '../data/dataset.ts';
import { detectDataset } from '../data/detectDataset.ts';
import { writeNpy } from '../data/npy.ts';
import { ALL_CORRUPTION_NAMES, CORRUPTIONS, NOT_IMPLEMENTED } from '../ops/corruptions/registry.ts';
import { corruptDataset } from '../streams/corrupt.ts';
import { event, type PipelineEvent } from '../pipeline/events.ts';
import { UsageError } from '../pipeline/usageError.ts';

/** Options of `fourier-augmix corrupt`, as parsed from the command line. */
export interface CorruptCommandOptions {
  readonly input: string;
  readonly output: string;
  readonly split: string;
  readonly corruptions?: string;
  readonly seed: string;
  readonly workers?: string;
  readonly limit?: string;
  readonly chunkSize: string;
}

/** The resolved run: what `corruptEvents` needs. */
export interface CorruptPlan {
  readonly dataset: Dataset;
  readonly output: string;
  readonly corruptions: readonly string[];
  readonly seed: number;
  readonly workers: number | undefined;
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

/** Resolves `--corruptions`: every implemented one by default; an unknown or unimplemented name is a usage error. */
export function resolveCorruptions(spec: string | undefined): string[] {
  if (spec === undefined || spec === 'all') return [...CORRUPTIONS.keys()];
  const names = spec.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (names.length === 0) throw new UsageError('corrupt: --corruptions is empty; give comma-separated names or "all" (see corrupt --list)');
  for (const n of names) {
    if (CORRUPTIONS.has(n)) continue;
    if (NOT_IMPLEMENTED.has(n)) throw new UsageError(`corrupt: '${n}' is not implemented yet (${NOT_IMPLEMENTED.get(n)}); implemented: ${[...CORRUPTIONS.keys()].join(', ')}`);
    throw new UsageError(`corrupt: unknown corruption '${n}'; implemented: ${[...CORRUPTIONS.keys()].join(', ')}`);
  }
  return [...new Set(names)];
}

function integer(value: string | undefined, flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`corrupt: ${flag} ${value} is invalid: expected an integer in [${min}, ${max === Number.MAX_SAFE_INTEGER ? '2^53' : max}]`);
  }
  return n;
}

/** Validates the options and reads the input dataset (a CIFAR-10 or CIFAR-100 binary folder). */
export async function planCorrupt(o: CorruptCommandOptions, cwd: string): Promise<CorruptPlan> {
  const corruptions = resolveCorruptions(o.corruptions);
  const seed = integer(o.seed, '--seed', 0)!;
  const workers = integer(o.workers, '--workers', 0, 256);
  const limit = integer(o.limit, '--limit', 1);
  const chunkSize = integer(o.chunkSize, '--chunk-size', 1, 100_000)!;
  if (o.split !== 'test' && o.split !== 'train') throw new UsageError(`corrupt: --split ${o.split} is invalid: expected test or train`);
  const input = resolve(cwd, o.input);
  const kind = await detectDataset(input).catch((err: Error) => {
    throw new UsageError(`corrupt: --input ${err.message}`);
  });
  if (kind === 'cifar-c') throw new UsageError(`corrupt: --input ${input} is already a CIFAR-C folder; give the clean dataset (CIFAR-10 or CIFAR-100 binary)`);
  const split = o.split as CifarSplit;
  let dataset = kind === 'cifar10-bin' ? await readCifar10(input, split) : await readCifar100(input, split);
  if (dataset.shape.channels !== 3) throw new UsageError(`corrupt: ${dataset.name} has ${dataset.shape.channels} channels; the corruptions need RGB`);
  const maxLabel = dataset.labels.reduce((m, l) => (l > m ? l : m), 0);
  if (maxLabel > 255) throw new UsageError(`corrupt: ${dataset.name} has label ${maxLabel}; labels.npy is uint8 (as in CIFAR-10-C), so labels must be <= 255`);
  if (limit !== undefined && limit < dataset.count) dataset = subset(dataset, 0, limit);
  return { dataset, output: resolve(cwd, o.output), corruptions, seed, workers, chunkSize };
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
      const labels = new Uint8Array(5 * ds.count);
      for (let s = 0; s < 5; s++) for (let i = 0; i < ds.count; i++) labels[s * ds.count + i] = ds.labels[i]!;
      await writeNpy(join(output, 'labels.npy'), labels, [5 * ds.count]);
    })());
  const written: string[] = [];
  const events = corruptDataset(ds, {
    corruptions: plan.corruptions,
    seed: plan.seed,
    chunkSize: plan.chunkSize,
    ...(plan.workers === undefined ? {} : { workers: plan.workers }),
    write: async (name, pixels) => {
      await prepare();
      await writeNpy(join(output, `${name}.npy`), pixels, [5 * ds.count, height, width, channels]);
      written.push(name);
      if (written.length === plan.corruptions.length) {
        await writeJsonAtomic(join(output, 'corrupt.json'), {
          generator: 'fourier-augmix corrupt', source: ds.name, files: ds.source, images: ds.count, seed: plan.seed, corruptions: written,
        });
      }
    },
  });
  return events.pipe(
    map((e): PipelineEvent =>
      e.type === 'progress'
        ? event.progress('corrupt', e.done, e.total, 'images', e.corruption)
        : event.artifact(join(output, `${e.corruption}.npy`), `${e.corruption}, 5 x ${ds.count} images`),
    ),
  );
}
