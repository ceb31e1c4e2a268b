/** The tfjs side: the only part of the package that creates tensors. */
export { toTensors, type TensorBatch } from './feed.ts';
export {
  AUTO_ORDER,
  BackendUnavailableError,
  formatBackendSelection,
  selectBackend,
  type BackendAttempt,
  type BackendChoice,
  type BackendName,
  type BackendSelection,
  type SelectBackendOptions,
} from './backend.ts';
export { ensureGradients } from './gradients.ts';
export { registerWasmGradKernels } from './wasmKernels.ts';
export { createWrn, type Wrn, type WrnConfig } from './wrn.ts';
export { type Classifier, type CleanSet, type Perturbation } from './classifier.ts';
export { openModel, isOnnx, type ModelSource, type OpenModelOptions } from './modelSource.ts';
export { tfjsClassifier } from './tfjsClassifier.ts';
export { attackCells, evaluateCell, evaluateClean } from './fourierAttack.ts';
export { wrnToOnnx, EXPORT_OPSET } from './onnx/exportWrn.ts';
export { DEFAULT_INPUT, type InputOptions } from './onnx/inputContract.ts';
