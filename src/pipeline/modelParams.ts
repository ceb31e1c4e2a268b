import type { BackendChoice, Runtime } from '../model/choices.ts';
import type { InputOptions } from '../model/onnx/inputContract.ts';
import { param } from './params.ts';
import { shared } from './sharedParams.ts';
import { UsageError } from './usageError.ts';

const help = (what: string): string => `ONNX models only: ${what}`;

/** `model=`, what runs it, and the ONNX input options: shared by every evaluation pipeline. */
export const modelParams = {
  model: param.string({ help: 'checkpoint .msgpack, a seed-<n> folder of a training run, a training run folder with one seed, or an .onnx model (required)' }),
  backend: shared.backend,
  runtime: shared.runtime,
  threads: shared.threads,
  layout: param.enum(['nchw', 'nhwc'], { help: help("input layout (default: the model's metadata, else its input shape)") }),
  channelOrder: param.enum(['rgb', 'bgr'], { help: help("channel order (default: the model's metadata, else rgb)") }),
  scale: param.number({
    min: 0,
    help: help("pixels are multiplied by this before mean/std: 1 for [0,1] inputs, 255 for [0,255]; > 0 (default: the model's metadata, else 1)"),
  }),
  mean: param.list({ help: help("per-channel mean subtracted, RGB order, in scaled units (default: the model's metadata, else 0.5,0.5,0.5)") }),
  std: param.list({ help: help("per-channel std divided by (default: the model's metadata, else 0.5,0.5,0.5)") }),
};

type Given = {
  readonly layout?: 'nchw' | 'nhwc' | undefined;
  readonly channelOrder?: 'rgb' | 'bgr' | undefined;
  readonly scale?: number | undefined;
  readonly mean?: readonly string[] | undefined;
  readonly std?: readonly string[] | undefined;
};

/**
 * The ONNX input options given as parameters (unset ones stay unset: the model's metadata decides).
 *
 * @throws UsageError naming the key when a mean/std item is not a number
 */
export function inputOptions(p: Given): InputOptions {
  const numbers = (key: 'mean' | 'std'): number[] | undefined => {
    const items = p[key];
    if (!items) return undefined;
    return items.map((s) => {
      const v = Number(s);
      if (s.trim() === '' || !Number.isFinite(v))
        throw new UsageError(`${key}=${items.join(',')}: '${s}' is not a number (one value per channel, e.g. ${key}=0.4914,0.4822,0.4465)`);
      return v;
    });
  };
  const mean = numbers('mean');
  const std = numbers('std');
  return {
    ...(p.layout ? { layout: p.layout } : {}),
    ...(p.channelOrder ? { channelOrder: p.channelOrder } : {}),
    ...(p.scale === undefined ? {} : { scale: p.scale }),
    ...(mean ? { mean } : {}),
    ...(std ? { std } : {}),
  };
}

/** What an evaluation pipeline's `modelParams` resolve to: the model, its input options and what runs it. */
export interface ModelChoice {
  readonly model: string;
  readonly input: InputOptions;
  readonly backend: BackendChoice;
  readonly runtime: Runtime;
  readonly threads: number;
}

/**
 * The model settings of an evaluation pipeline's parameters, checked: `model=` is required.
 *
 * @throws UsageError naming the pipeline when `model=` is missing
 */
export function modelChoice(
  pipeline: string,
  p: Given & { readonly model?: string | undefined; readonly backend: BackendChoice; readonly runtime: Runtime; readonly threads: number },
): ModelChoice {
  if (!p.model) throw new UsageError(`${pipeline}: model= is required (a checkpoint .msgpack, a seed-<n> folder, a training run folder or an .onnx file)`);
  return { model: p.model, input: inputOptions(p), backend: p.backend, runtime: p.runtime, threads: p.threads };
}
