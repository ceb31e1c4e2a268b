import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { modelLabel, type ModelIdentity } from '../data/modelIdentity.ts';
import type { Classifier } from './classifier.ts';
import { loadModel, resolveCheckpoint } from './loadModel.ts';
import { META, type Expected, type InputOptions } from './onnx/inputContract.ts';
import { openOnnxClassifier } from './onnx/onnxClassifier.ts';
import type { Importer } from './onnx/runtime.ts';
import { tfjsClassifier } from './tfjsClassifier.ts';

/** A model opened for evaluation, from either source, with what reports say about it. */
export interface ModelSource {
  /** The file: a checkpoint .msgpack or an .onnx model. */
  readonly path: string;
  readonly format: 'checkpoint' | 'onnx';
  readonly identity: ModelIdentity;
  /** The test-time normalisation (in the model's scaled units for ONNX). */
  readonly normalize: { readonly mean: readonly number[]; readonly std: readonly number[] };
  /** e.g. `AugSVF (WRN-16-2)` or `resnet18 (ONNX)`. */
  readonly label: string;
  /** The caller disposes it. */
  readonly classifier: Classifier;
}

export interface OpenModelOptions {
  readonly cwd: string;
  /** The images the evaluation feeds (size, channels) and, when known, the dataset's class count. */
  readonly expected: Expected;
  /** How to feed an ONNX model; refused for checkpoints, which carry their own normalisation. */
  readonly input?: InputOptions;
  readonly importer?: Importer;
}

/** A `model=` value that names an ONNX file. */
export const isOnnx = (spec: string): boolean => spec.toLowerCase().endsWith('.onnx');

/**
 * Opens `spec` for evaluation: a path ending in `.onnx` on onnxruntime-node, anything else as
 * a checkpoint (file, seed folder or one-seed run folder; see `resolveCheckpoint`) on the current
 * tfjs backend. Every check against `expected` happens here, before any work starts.
 *
 * @throws Error naming the file: missing, unreadable, or not fitting the data
 */
export async function openModel(spec: string, options: OpenModelOptions): Promise<ModelSource> {
  const given = Object.entries(options.input ?? {}).filter(([, v]) => v !== undefined).map(([k]) => `${k}=`);
  if (!isOnnx(spec)) {
    const path = resolveCheckpoint(spec, options.cwd);
    if (given.length) throw new Error(`${given.join(', ')}: only for ONNX models; checkpoint ${path} carries its own normalisation (its strategy's mean and std)`);
    const model = await loadModel(path);
    const { depth, widen, classes } = model.checkpoint.model;
    const want = options.expected.classes;
    if (want !== undefined && classes !== want) {
      model.net.dispose();
      throw new Error(`model ${path} has ${classes} classes, the data has ${want}: evaluate it on the dataset it was trained on`);
    }
    const identity: ModelIdentity = { sha256: model.sha256, strategy: model.strategy, depth, widen, classes };
    const classifier = tfjsClassifier(model.net, model.normalize, options.expected.height, options.expected.width);
    return { path, format: 'checkpoint', identity, normalize: model.normalize, label: modelLabel(identity), classifier };
  }
  const path = resolve(options.cwd, spec);
  if (!existsSync(path)) throw new Error(`model ${path}: no such file`);
  const bytes = await readFile(path);
  const onnx = await openOnnxClassifier(path, bytes, { expected: options.expected, ...(options.input ? { input: options.input } : {}), ...(options.importer ? { importer: options.importer } : {}) });
  const { contract } = onnx;
  const identity: ModelIdentity = {
    sha256: createHash('sha256').update(bytes).digest('hex'),
    strategy: onnx.metadata.get(META.strategy) ?? basename(path).replace(/\.onnx$/i, ''),
    classes: onnx.classifier.classes,
    format: 'onnx',
    input: { layout: contract.layout, channelOrder: contract.channelOrder, scale: contract.scale },
  };
  return { path, format: 'onnx', identity, normalize: { mean: contract.mean, std: contract.std }, label: modelLabel(identity), classifier: onnx.classifier };
}
