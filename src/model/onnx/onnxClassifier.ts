import { availableParallelism } from 'node:os';
import type { Dataset } from '../../data/dataset.ts';
import { softmaxRows } from '../../ops/metrics.ts';
import { modelInputInto } from '../../ops/modelInput.ts';
import { batchIndices, unitPixels, type Classifier, type CleanSet, type Perturbation, type PredictOptions } from '../classifier.ts';
import { readMetadata } from './onnxProto.ts';
import { resolveInputContract, type Expected, type InputContract, type InputOptions } from './inputContract.ts';
import { loadOnnxRuntime, type Importer, type OnnxRuntime, type OrtSession, type OrtSessionOptions } from './runtime.ts';

export interface OnnxClassifierOptions {
  readonly input?: InputOptions;
  readonly expected: Expected;
  /** onnxruntime's intra-op threads (default: `defaultThreads()`). */
  readonly threads?: number;
  /** Give onnxruntime `bytes` rather than the file at `path` (a model made in memory, e.g. an exported checkpoint). */
  readonly inMemory?: boolean;
  readonly importer?: Importer;
}

/** As many threads as the machine has cores, as the native tfjs backend takes by default. */
export const defaultThreads = (): number => availableParallelism();

/** How every session is made: all graph optimisations (BatchNorm folding into a preceding conv among them), one op at a time. */
export const sessionOptions = (threads: number): OrtSessionOptions => ({
  intraOpNumThreads: threads,
  interOpNumThreads: 1,
  graphOptimizationLevel: 'all',
  executionMode: 'sequential',
});

export interface OnnxModel {
  readonly classifier: Classifier;
  readonly contract: InputContract;
  /** The model's metadata_props (our export writes the strategy and architecture there). */
  readonly metadata: ReadonlyMap<string, string>;
}

/**
 * Opens an .onnx file on onnxruntime-node's CPU execution provider as a `Classifier`, after
 * checking its input and output against `expected` (see `resolveInputContract`). `bytes` are the
 * file's contents (already read for its hash), checked here before onnxruntime sees the file.
 *
 * @throws Error naming `path` for a file that is not a loadable model or does not fit
 */
export async function openOnnxClassifier(path: string, bytes: Uint8Array, options: OnnxClassifierOptions): Promise<OnnxModel> {
  let metadata: Map<string, string>;
  try {
    metadata = readMetadata(bytes);
  } catch (err) {
    throw new Error(`model ${path}: not a readable ONNX file: ${(err as Error).message}`, { cause: err });
  }
  const ort = await loadOnnxRuntime(options.importer);
  const threads = options.threads ?? defaultThreads();
  let session: OrtSession;
  try {
    // A file by path, so onnxruntime finds a large model's external-data files beside it.
    session = await ort.InferenceSession.create(options.inMemory ? bytes : path, sessionOptions(threads));
  } catch (err) {
    throw new Error(`model ${path}: onnxruntime cannot load it: ${(err as Error).message}`, { cause: err });
  }
  try {
    const [input, output] = [session.inputMetadata[0], session.outputMetadata[0]];
    if (!input || !output)
      throw new Error(
        `model ${path}: has ${session.inputNames.length} inputs and ${session.outputNames.length} outputs; expected one image input and one logits output`,
      );
    const { contract, classes } = resolveInputContract(path, input, output, metadata, options.input ?? {}, options.expected);
    const { height, width, channels } = options.expected;
    const batch = contract.batch === null ? 'dynamic batch' : `fixed batch ${contract.batch}`;
    const classifier: Classifier = {
      classes,
      height,
      width,
      channels,
      description: `onnxruntime-node CPU (${threads} threads), ${contract.layout.toUpperCase()} ${contract.channelOrder.toUpperCase()}, ${batch}, x${contract.scale} then (x − [${contract.mean.join(', ')}]) / [${contract.std.join(', ')}]`,
      cleanSet: (dataset, batchSize, indices) =>
        onnxCleanSet(ort, session, path, contract, options.expected, classes, dataset, contract.batch ?? batchSize, indices),
      dispose: () => void session.release(),
    };
    return { classifier, contract, metadata };
  } catch (err) {
    await session.release();
    throw err;
  }
}

/**
 * The clean images as float32 [0, 1] NHWC arrays; each pass turns a batch into the model's input
 * in JS (`modelInputInto`: perturbation, clip, normalisation, channel order, layout: ~14 µs an
 * image here, ~2% of a WRN-16-2's inference; bench/results/onnx.md) and runs it. No overlap is possible from this
 * thread: onnxruntime-node 1.30's `run` calls the native session synchronously on the main
 * thread (after a setImmediate), its intra-op threads beside it.
 */
function onnxCleanSet(
  ort: OnnxRuntime,
  session: OrtSession,
  path: string,
  contract: InputContract,
  expected: Expected,
  classes: number,
  dataset: Dataset,
  batchSize: number,
  indices?: ArrayLike<number>,
): CleanSet {
  const { height, width, channels } = dataset.shape;
  if (expected.height !== height || expected.width !== width || expected.channels !== channels) {
    throw new Error(
      `model ${path} was checked for ${expected.height}x${expected.width}x${expected.channels} images; ${dataset.name} has ${height}x${width}x${channels}`,
    );
  }
  const size = height * width * channels;
  const batches = batchIndices(dataset, batchSize, indices).map((idx) => ({
    pixels: unitPixels(dataset, idx),
    labels: Int32Array.from(idx, (i) => dataset.labels[i]!),
    indices: idx,
  }));
  const count = batches.reduce((s, b) => s + b.indices.length, 0);
  const [inputName, outputName] = [session.inputNames[0]!, session.outputNames[0]!];
  // A fixed-batch model gets full batches: the last one is padded (its extra outputs are dropped).
  const rows = (n: number): number => contract.batch ?? n;
  const dims = (n: number): number[] => (contract.layout === 'nchw' ? [rows(n), channels, height, width] : [rows(n), height, width, channels]);
  const input = new Float32Array(Math.max(0, ...batches.map((b) => rows(b.indices.length))) * size);

  const run = async (perturbation: Perturbation | null, options: PredictOptions = {}): Promise<Float32Array | null> => {
    const out = new Float32Array(count * classes);
    let at = 0;
    for (let b = 0; b < batches.length; b++) {
      if (options.isClosed?.()) return null;
      const { pixels, indices: idx } = batches[b]!;
      const n = idx.length;
      modelInputInto(pixels, input, n, dataset.shape, contract, perturbation ? { basis: perturbation.basis, signs: perturbation.signs(b) } : null);
      let result;
      try {
        result = (await session.run({ [inputName]: new ort.Tensor('float32', input.subarray(0, rows(n) * size), dims(n)) }))[outputName]!;
      } catch (err) {
        throw new Error(`model ${path}: onnxruntime failed on a batch of ${rows(n)}: ${(err as Error).message}`, { cause: err });
      }
      const [gotRows, gotClasses] = result.dims;
      if (gotRows !== rows(n) || gotClasses !== classes)
        throw new Error(`model ${path}: output '${outputName}' is [${result.dims.join(', ')}] for a batch of ${rows(n)}; expected [${rows(n)}, ${classes}]`);
      out.set((result.data as Float32Array).subarray(0, n * classes), at);
      at += n * classes;
    }
    return out;
  };

  return {
    count,
    ...dataset.shape,
    classes,
    batches: batches.map(({ labels, indices: idx }) => ({ labels, indices: idx })),
    logits: (perturbation, options) => run(perturbation, options),
    probabilities: async (perturbation, options) => {
      const logits = await run(perturbation, options);
      return logits && softmaxRows(logits, classes);
    },
    dispose: () => {
      batches.length = 0;
    },
  };
}
