import type { Runtime } from './choices.ts';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { modelLabel, type ModelIdentity } from '../data/modelIdentity.ts';
import type { Classifier } from './classifier.ts';
import type { BackendName } from './backend.ts';
import { loadCheckpoint } from './checkpoint.ts';
import { loadModel, resolveCheckpoint, trainingStrategy } from './loadModel.ts';
import { wrnToOnnx } from './onnx/exportWrn.ts';
import { META, type Expected, type InputOptions } from './onnx/inputContract.ts';
import { openOnnxClassifier, type OnnxClassifierOptions } from './onnx/onnxClassifier.ts';
import { loadOnnxRuntime, type Importer } from './onnx/runtime.ts';
import { tfjsClassifier } from './tfjsClassifier.ts';

/** A model opened for evaluation, from either source, with what reports say about it. */
export interface ModelSource {
  /** The file: a checkpoint .msgpack or an .onnx model. */
  readonly path: string;
  readonly format: 'checkpoint' | 'onnx';
  /** What computes it. */
  readonly runtime: 'tfjs' | 'onnxruntime';
  readonly identity: ModelIdentity;
  /** The test-time normalisation (in the model's scaled units for ONNX). */
  readonly normalize: { readonly mean: readonly number[]; readonly std: readonly number[] };
  /** e.g. `AugSVF (WRN-16-2)` or `resnet18 (ONNX)`. */
  readonly label: string;
  /** The caller disposes it. */
  readonly classifier: Classifier;
  /** One line the user should see, e.g. that an older checkpoint loaded without a checksum to verify. */
  readonly notice?: string;
}

/** The notice for a checkpoint written before checkpoints carried a checksum. */
export const unverifiedNotice = (path: string): string => `checkpoint ${path} has no checksum (written by an older version): loaded unverified`;

export { RUNTIMES, type Runtime } from './choices.ts';

/** The tfjs backends that compute on the CPU, where onnxruntime's CPU provider is faster. */
const CPU_BACKENDS: readonly BackendName[] = ['native', 'wasm', 'cpu'];

export interface OpenModelOptions {
  readonly cwd: string;
  /** The images the evaluation feeds (size, channels) and, when known, the dataset's class count. */
  readonly expected: Expected;
  /** How to feed an ONNX model; refused for checkpoints, which carry their own normalisation. */
  readonly input?: InputOptions;
  /** For checkpoints (default `tfjs`); ONNX files always run on onnxruntime. */
  readonly runtime?: Runtime;
  /** The tfjs backend in use, which `auto` weighs (default: treated as a CPU backend). */
  readonly tfjsBackend?: BackendName;
  /** onnxruntime's compute threads (default: the machine's cores). */
  readonly threads?: number;
  readonly importer?: Importer;
}

/** A `model=` value that names an ONNX file. */
export const isOnnx = (spec: string): boolean => spec.toLowerCase().endsWith('.onnx');

/**
 * Opens `spec` for evaluation: a path ending in `.onnx` on onnxruntime-node, anything else as
 * a checkpoint (file, seed folder or one-seed run folder; see `resolveCheckpoint`) on the current
 * tfjs backend or on onnxruntime (`runtime`). Every check against `expected` happens here, before
 * any work starts.
 *
 * @throws Error naming the file: missing, unreadable, or not fitting the data
 */
export async function openModel(spec: string, options: OpenModelOptions): Promise<ModelSource> {
  const given = Object.entries(options.input ?? {})
    .filter(([, v]) => v !== undefined)
    .map(([k]) => `${k}=`);
  if (!isOnnx(spec)) {
    const path = resolveCheckpoint(spec, options.cwd);
    if (given.length)
      throw new Error(`${given.join(', ')}: only for ONNX models; checkpoint ${path} carries its own normalisation (its strategy's mean and std)`);
    if (await onOnnxRuntime(options)) return openCheckpointOnOnnx(path, options);
    const model = await loadModel(path);
    const { depth, widen, classes } = model.checkpoint.model;
    checkClasses(path, classes, options, () => model.net.dispose());
    const identity: ModelIdentity = { sha256: model.sha256, strategy: model.strategy, depth, widen, classes };
    const classifier = tfjsClassifier(model.net, model.normalize, options.expected.height, options.expected.width);
    return {
      path,
      format: 'checkpoint',
      runtime: 'tfjs',
      identity,
      normalize: model.normalize,
      label: modelLabel(identity),
      classifier,
      ...(model.checkpoint.verified ? {} : { notice: unverifiedNotice(path) }),
    };
  }
  const path = resolve(options.cwd, spec);
  if (!existsSync(path)) throw new Error(`model ${path}: no such file`);
  const bytes = await readFile(path);
  const onnx = await openOnnxClassifier(path, bytes, {
    expected: options.expected,
    ...onnxOptions(options),
    ...(options.input ? { input: options.input } : {}),
  });
  const { contract } = onnx;
  const identity: ModelIdentity = {
    sha256: createHash('sha256').update(bytes).digest('hex'),
    strategy: onnx.metadata.get(META.strategy) ?? basename(path).replace(/\.onnx$/i, ''),
    classes: onnx.classifier.classes,
    format: 'onnx',
    input: { layout: contract.layout, channelOrder: contract.channelOrder, scale: contract.scale },
  };
  return {
    path,
    format: 'onnx',
    runtime: 'onnxruntime',
    identity,
    normalize: { mean: contract.mean, std: contract.std },
    label: modelLabel(identity),
    classifier: onnx.classifier,
  };
}

/** What every onnxruntime session of `openModel` shares: threads and the importer. */
function onnxOptions(options: OpenModelOptions): Pick<OnnxClassifierOptions, 'threads' | 'importer'> {
  return { ...(options.threads !== undefined ? { threads: options.threads } : {}), ...(options.importer ? { importer: options.importer } : {}) };
}

function checkClasses(path: string, classes: number, options: OpenModelOptions, cleanup: () => void): void {
  const want = options.expected.classes;
  if (want !== undefined && classes !== want) {
    cleanup();
    throw new Error(`model ${path} has ${classes} classes, the data has ${want}: evaluate it on the dataset it was trained on`);
  }
}

/** Whether a checkpoint runs on onnxruntime (see `Runtime`). */
async function onOnnxRuntime(options: OpenModelOptions): Promise<boolean> {
  const runtime = options.runtime ?? 'tfjs';
  if (runtime === 'tfjs') return false;
  if (runtime === 'onnxruntime') return true;
  if (options.tfjsBackend !== undefined && !CPU_BACKENDS.includes(options.tfjsBackend)) return false;
  return loadOnnxRuntime(options.importer).then(
    () => true,
    () => false,
  );
}

/**
 * A checkpoint on onnxruntime: its WRN exported in memory (`wrnToOnnx`, BatchNorm in inference
 * mode) with the training normalisation. Identified as the checkpoint, as on tfjs: results,
 * resumes and merges do not depend on which runtime computed them (the two agree to 1e-5 in the
 * logits; tested cell by cell).
 */
async function openCheckpointOnOnnx(path: string, options: OpenModelOptions): Promise<ModelSource> {
  const [checkpoint, bytes] = await Promise.all([loadCheckpoint(path), readFile(path)]);
  const { strategy, normalize } = trainingStrategy(path, checkpoint);
  const { depth, widen, classes } = checkpoint.model;
  checkClasses(path, classes, options, () => undefined);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const { height, width } = options.expected;
  const onnx = wrnToOnnx(checkpoint, { normalize, strategy, checkpointSha256: sha256, height, width });
  const opened = await openOnnxClassifier(path, onnx, { expected: options.expected, inMemory: true, ...onnxOptions(options) });
  const identity: ModelIdentity = { sha256, strategy, depth, widen, classes };
  return {
    path,
    format: 'checkpoint',
    runtime: 'onnxruntime',
    identity,
    normalize,
    label: modelLabel(identity),
    classifier: opened.classifier,
    ...(checkpoint.verified ? {} : { notice: unverifiedNotice(path) }),
  };
}
