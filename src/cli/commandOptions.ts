import type { Command } from 'commander';
import { z } from 'zod';
import { CORRUPT_CHUNK_SIZE, CORRUPT_FORMATS } from '../jobs/corrupt.ts';
import { CORRUPTION_PRESETS } from '../ops/corruptions/presets.ts';
import { paramMeta, param, type Param } from '../pipeline/params.ts';
import { shared } from '../pipeline/sharedParams.ts';

/** A command's option: its flags as commander spells them, and the parameter that checks its value. */
export interface CommandOption {
  readonly flags: string;
  readonly param: Param<unknown>;
}

/** `fourier-augmix corrupt`'s options, checked by the same parameter builders as every pipeline. */
export const corruptOptions = {
  input: {
    flags: '-i, --input <dir>',
    param: param.string({ help: 'clean dataset folder (CIFAR-10 or CIFAR-100 binary, or an image folder)' }),
  },
  output: {
    flags: '-o, --output <dir>',
    param: param.string({ help: 'folder to write to (created if missing): the .npy files, or the <corruption>/<severity>/<class>/<image> folders' }),
  },
  split: { flags: '--split <split>', param: param.enum(['test', 'train'], { default: 'test', help: 'which split of the input' }) },
  corruptions: {
    flags: '-c, --corruptions <names>',
    param: param.list({ help: 'comma-separated corruption names, or "all" (default: every implemented one; see --list)' }),
  },
  seed: { flags: '--seed <n>', param: shared.seed('with corruption, severity and image index it fixes every random draw') },
  format: {
    flags: '--format <format>',
    param: param.enum(CORRUPT_FORMATS, {
      default: 'npy',
      help: "npy: CIFAR-10-C's <corruption>.npy and labels.npy; folders: ImageNet-C's <corruption>/<severity>/<class>/<image>, each image under its input's name and format (JPEG at quality 85 for .jpg)",
    }),
  },
  lossless: { flags: '--lossless', param: param.boolean({ default: false, help: 'with --format folders: every image as PNG' }) },
  preset: {
    flags: '--preset <name>',
    param: param.enum(CORRUPTION_PRESETS, {
      help: 'whose constants: cifar (CIFAR-10-C, 32x32), tiny-imagenet (Tiny-ImageNet-C, 64x64), imagenet (ImageNet-C, 224x224); images of another size are brought to it as that script does (default: by image size)',
    }),
  },
  workers: { flags: '-w, --workers <n>', param: shared.workers },
  limit: { flags: '--limit <n>', param: param.optionalInt({ min: 1, help: 'only the first n images of the split' }) },
  chunkSize: { flags: '--chunk-size <n>', param: param.int({ default: CORRUPT_CHUNK_SIZE, min: 1, max: 100_000, help: 'images per worker task' }) },
} satisfies Record<string, CommandOption>;

/** `fourier-augmix data fetch`'s options. */
export const fetchOptions = {
  dir: {
    flags: '--dir <dir>',
    param: param.string({ default: 'data', help: 'where the unpacked folders go (the train presets read data/cifar-10-batches-bin etc.)' }),
  },
  baseUrl: {
    flags: '--base-url <url>',
    param: param.string({ help: 'fetch from a mirror or local server instead (the file names and checksums stay the same)' }),
  },
} satisfies Record<string, CommandOption>;

/** `fourier-augmix export`'s options. */
export const exportOptions = {
  onnx: { flags: '--onnx <file>', param: param.string({ help: 'the .onnx file to write' }) },
  size: {
    flags: '--size <HxW>',
    param: param.size({
      min: 1,
      max: 4096,
      help: "the model input's image size, H or HxW (the WRN takes any); default: the size it was trained on (32x32 for checkpoints of earlier versions)",
    }),
  },
} satisfies Record<string, CommandOption>;

/** `fourier-augmix report`'s options. */
export const reportOptions = {
  out: { flags: '-o, --out <dir>', param: param.string({ default: 'runs/report', help: 'folder for report.md and the figures' }) },
} satisfies Record<string, CommandOption>;

/** The schema of a command's options, for `validateParams`. */
export function optionSchema<O extends Record<string, CommandOption>>(options: O): z.ZodObject<{ [K in keyof O]: O[K]['param'] }> {
  return z.object(Object.fromEntries(Object.entries(options).map(([k, o]) => [k, o.param]))) as never;
}

/** Adds the options to `command`, each described by its parameter's help and default (no commander default: the schema has the one). */
export function addOptions(command: Command, options: Record<string, CommandOption>): Command {
  for (const o of Object.values(options)) {
    const meta = paramMeta.get(o.param);
    command.option(o.flags, `${meta?.help ?? ''}${meta?.defaultText != null ? ` (default: ${meta.defaultText})` : ''}`);
  }
  return command;
}

/** How an option is named in errors: its long flag. */
export function flagName(options: Record<string, CommandOption>): (key: string) => string {
  return (key) => /--[a-z-]+/.exec(options[key]?.flags ?? '')?.[0] ?? key;
}
