/**
 * onnxruntime-node, loaded on first use: it is an optional dependency (288 MB), and our own tfjs
 * models never need it. Only the part of its API we use is typed here, so the project also
 * type-checks where it is not installed.
 */

/** A tensor's metadata as onnxruntime reports it; a string dimension is symbolic (dynamic). */
export interface OrtValueMetadata {
  readonly name: string;
  readonly isTensor: boolean;
  readonly type?: string;
  readonly shape?: readonly (number | string)[];
}

export interface OrtTensor {
  readonly data: unknown;
  readonly dims: readonly number[];
}

export interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata: readonly OrtValueMetadata[];
  readonly outputMetadata: readonly OrtValueMetadata[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}

export interface OrtSessionOptions {
  readonly intraOpNumThreads?: number;
  readonly interOpNumThreads?: number;
  readonly graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  readonly executionMode?: 'sequential' | 'parallel';
}

export interface OnnxRuntime {
  readonly InferenceSession: { create(model: string | Uint8Array, options?: OrtSessionOptions): Promise<OrtSession> };
  readonly Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;
}

/** How a package is imported; tests pass one that fails, to see the message a user without it gets. */
export type Importer = (specifier: string) => Promise<unknown>;

const PACKAGE = 'onnxruntime-node';

/**
 * Imports onnxruntime-node.
 *
 * @throws Error saying how to install it when it is missing or does not load
 */
export async function loadOnnxRuntime(importer: Importer = (s) => import(s)): Promise<OnnxRuntime> {
  let m: { default?: unknown } & Record<string, unknown>;
  try {
    m = (await importer(PACKAGE)) as typeof m;
  } catch (err) {
    throw new Error(
      `${PACKAGE} is not installed (${(err as Error).message?.split('\n')[0] ?? String(err)}): ONNX models need it. Run \`npm i ${PACKAGE}\` ` +
        `(its install script only fetches CUDA extras; skip it where there is no network: \`npm install-scripts deny ${PACKAGE}\` or ONNXRUNTIME_NODE_INSTALL=skip)`,
      { cause: err },
    );
  }
  // A CommonJS package: its exports may arrive as named exports or only under `default`.
  const ort = (typeof m.InferenceSession === 'function' ? m : m.default) as OnnxRuntime | undefined;
  if (!ort || typeof ort.InferenceSession?.create !== 'function' || typeof ort.Tensor !== 'function')
    throw new Error(`${PACKAGE} loaded but has no InferenceSession/Tensor: an unsupported version? (this project uses 1.30)`);
  return ort;
}
