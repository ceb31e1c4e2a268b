import { selectBackend, type BackendChoice, type BackendSelection } from '../model/backend.ts';
import { isOnnx, openModel, type ModelSource, type Runtime } from '../model/modelSource.ts';
import type { Expected, InputOptions } from '../model/onnx/inputContract.ts';

/** The model an evaluation runs, and what runs it: the part every evaluation job's spec shares. */
export interface EvaluatedModelSpec {
  /** A checkpoint (file, seed folder, one-seed run folder) or an .onnx file. */
  readonly model: string;
  /** How to feed an ONNX model (its metadata's values otherwise). */
  readonly input?: InputOptions;
  readonly backend: BackendChoice;
  /** Compute threads of the native backend and of onnxruntime (default: the machine's cores). */
  readonly threads?: number;
  /** What runs a checkpoint (default tfjs; see `Runtime`). */
  readonly runtime?: Runtime;
  /** What relative paths start from. */
  readonly cwd: string;
}

/**
 * Opens an evaluation's model for images like `expected`: a checkpoint on the selected tfjs backend
 * (or onnxruntime, per `runtime`), an ONNX file on onnxruntime (no backend to select then).
 *
 * @throws the backend's or the model's error, naming the file
 */
export async function openEvaluatedModel(spec: EvaluatedModelSpec, expected: Expected): Promise<{ selection: BackendSelection | null; model: ModelSource }> {
  const selection = isOnnx(spec.model) ? null : await selectBackend(spec.backend, { threads: spec.threads });
  const model = await openModel(spec.model, {
    cwd: spec.cwd,
    expected,
    ...(spec.input ? { input: spec.input } : {}),
    runtime: spec.runtime ?? 'tfjs',
    ...(selection ? { tfjsBackend: selection.name } : {}),
    threads: spec.threads,
  });
  return { selection, model };
}
