import type { ChannelOrder, InputTransform, Layout } from '../../ops/modelInput.ts';
import type { OrtValueMetadata } from './runtime.ts';
import { InputError } from '../../inputError.ts';

/** What the user may say about an ONNX model's input (`layout=`, `channelOrder=`, `scale=`, `mean=`, `std=`); unset ones come from the model. */
export type InputOptions = Partial<{ -readonly [K in keyof InputTransform]: InputTransform[K] }>;

/**
 * The metadata_props keys our export writes (and a user may add to any model, e.g. with the onnx
 * Python package): mean and std as JSON number lists, layout nchw|nhwc, channel_order rgb|bgr,
 * scale 1|255.
 */
export const META = {
  mean: 'fourier_augmix.mean',
  std: 'fourier_augmix.std',
  layout: 'fourier_augmix.layout',
  channelOrder: 'fourier_augmix.channel_order',
  scale: 'fourier_augmix.scale',
  strategy: 'fourier_augmix.strategy',
  architecture: 'fourier_augmix.architecture',
} as const;

/**
 * Defaults for a model that says nothing: RGB in [0, 1], normalised with mean = std = 0.5 per
 * channel, as every strategy of this project (and the AugMix reference) trains. A model trained
 * with other statistics (e.g. torchvision's CIFAR means) needs `mean=` and `std=`.
 */
export const DEFAULT_INPUT = { channelOrder: 'rgb', scale: 1, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] } as const;

/** The resolved contract: how images are fed, and the batch the model fixes (null: any). */
export interface InputContract extends InputTransform {
  readonly batch: number | null;
  /** Where each setting came from, for the run log. */
  readonly from: Readonly<Record<keyof InputTransform, 'option' | 'model' | 'default' | 'shape'>>;
}

/** What the evaluation needs the model to take and give. */
export interface Expected {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** The dataset's class count, when known before the model is opened. */
  readonly classes?: number;
}

const shapeText = (s: readonly (number | string)[] | undefined): string => (s ? `[${s.join(', ')}]` : 'unknown');
const dim = (d: number | string | undefined): number | null => (typeof d === 'number' && d > 0 ? d : null);

/**
 * Checks an ONNX model's first input and output against what the evaluation feeds it and
 * expects back, and resolves how to feed it: options first, then the model's metadata, then the
 * input's shape (layout), then `DEFAULT_INPUT`. Returns the contract and the class count.
 *
 * @throws Error naming `path`, the expected and the actual shape or value
 */
export function resolveInputContract(
  path: string,
  input: OrtValueMetadata,
  output: OrtValueMetadata,
  metadata: ReadonlyMap<string, string>,
  options: InputOptions,
  expected: Expected,
): { contract: InputContract; classes: number } {
  // A model that does not fit the data or the options given is the user's to fix: an input error.
  const fail = (what: string): never => {
    throw new InputError(`model ${path}: ${what}`);
  };
  const { height, width, channels } = expected;
  const want = { nchw: `[N, ${channels}, ${height}, ${width}]`, nhwc: `[N, ${height}, ${width}, ${channels}]` };
  if (!input.isTensor || input.type !== 'float32')
    fail(
      `input '${input.name}' is ${input.isTensor ? `a ${input.type} tensor` : 'not a tensor'}; expected float32 images ${want.nchw} (NCHW) or ${want.nhwc} (NHWC)`,
    );
  const s = input.shape ?? [];
  if (s.length !== 4)
    fail(`input '${input.name}' has shape ${shapeText(input.shape)} (rank ${s.length}); expected rank 4: ${want.nchw} (NCHW) or ${want.nhwc} (NHWC)`);

  const meta = <T>(key: string, parse: (v: string) => T | undefined, what: string): T | undefined => {
    const raw = metadata.get(key);
    if (raw === undefined) return undefined;
    const v = parse(raw);
    return v === undefined ? fail(`metadata ${key}=${JSON.stringify(raw)} is not ${what}`) : v;
  };
  const numbers = (v: string): number[] | undefined => {
    try {
      const xs = JSON.parse(v) as unknown;
      return Array.isArray(xs) && xs.every((x) => typeof x === 'number') ? xs : undefined;
    } catch {
      return undefined;
    }
  };
  const oneOf =
    <T extends string>(choices: readonly T[]) =>
    (v: string): T | undefined =>
      choices.find((c) => c === v.toLowerCase());
  const pick = <K extends keyof InputTransform>(
    key: K,
    fromMeta: InputTransform[K] | undefined,
    fallback: InputTransform[K] | undefined,
    fallbackFrom: 'default' | 'shape',
  ) => {
    if (options[key] !== undefined) return { value: options[key] as InputTransform[K], from: 'option' as const };
    if (fromMeta !== undefined) return { value: fromMeta, from: 'model' as const };
    return fallback === undefined ? undefined : { value: fallback, from: fallbackFrom };
  };

  // Channels first if the second axis has the channel count and the last does not.
  const byShape: Layout | undefined = dim(s[1]) === channels && dim(s[3]) !== channels ? 'nchw' : dim(s[3]) === channels ? 'nhwc' : undefined;
  const layout =
    pick('layout', meta(META.layout, oneOf<Layout>(['nchw', 'nhwc']), 'nchw or nhwc'), byShape, 'shape') ??
    fail(
      `input '${input.name}' has shape ${shapeText(s)}: neither ${want.nchw} (NCHW) nor ${want.nhwc} (NHWC); give layout=nchw|nhwc if its channel axis is dynamic`,
    );
  const [c, h, w] = layout.value === 'nchw' ? [s[1], s[2], s[3]] : [s[3], s[1], s[2]];
  for (const [name, got, need] of [
    ['channels', c, channels],
    ['height', h, height],
    ['width', w, width],
  ] as const) {
    if (dim(got) !== null && got !== need)
      fail(
        `input '${input.name}' has shape ${shapeText(s)} (${layout.value.toUpperCase()}): ${name} ${got}, the data's images need ${layout.value === 'nchw' ? want.nchw : want.nhwc}`,
      );
  }

  const o = output.shape ?? [];
  if (!output.isTensor || o.length !== 2) fail(`output '${output.name}' has shape ${shapeText(output.shape)}; expected one logit per class, [N, classes]`);
  const classes =
    dim(o[1]) ?? expected.classes ?? fail(`output '${output.name}' has shape ${shapeText(o)}: the class count is dynamic and the data does not say it`);
  if (expected.classes !== undefined && classes !== expected.classes)
    fail(`output '${output.name}' has shape ${shapeText(o)}: ${classes} classes, the data has ${expected.classes}`);

  const channelOrder = pick('channelOrder', meta(META.channelOrder, oneOf<ChannelOrder>(['rgb', 'bgr']), 'rgb or bgr'), DEFAULT_INPUT.channelOrder, 'default')!;
  const scale = pick(
    'scale',
    meta(META.scale, (v) => (Number(v) > 0 ? Number(v) : undefined), 'a number > 0'),
    DEFAULT_INPUT.scale,
    'default',
  )!;
  const mean = pick('mean', meta(META.mean, numbers, 'a JSON list of numbers'), DEFAULT_INPUT.mean, 'default')!;
  const std = pick('std', meta(META.std, numbers, 'a JSON list of numbers'), DEFAULT_INPUT.std, 'default')!;
  for (const [name, v] of [
    ['mean', mean],
    ['std', std],
  ] as const) {
    if (v.value.length !== channels) fail(`${name} (${v.from}) has ${v.value.length} values [${v.value.join(', ')}]; the images have ${channels} channels`);
  }
  if (std.value.some((x) => !(x > 0))) fail(`std (${std.from}) [${std.value.join(', ')}] must be > 0 everywhere`);
  if (!(scale.value > 0)) fail(`scale (${scale.from}) ${scale.value} must be > 0`);
  const batch = dim(s[0]);
  return {
    classes,
    contract: {
      layout: layout.value,
      channelOrder: channelOrder.value,
      scale: scale.value,
      mean: mean.value,
      std: std.value,
      batch,
      from: { layout: layout.from, channelOrder: channelOrder.from, scale: scale.from, mean: mean.from, std: std.from },
    },
  };
}
