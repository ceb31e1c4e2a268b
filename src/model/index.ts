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
export { formatBackendsReport, probeBackends, type BackendProbe, type BackendsReport } from './probeBackends.ts';
export { formatAdapter, type AdapterSummary } from './webgpu/gpuAdapter.ts';
export { GpuError, webgpuAdapter, webgpuDevice } from './webgpu/webgpuBackend.ts';
export { ensureGradients } from './gradients.ts';
export { registerWasmGradKernels } from './wasmKernels.ts';
export { createWrn, type Wrn, type WrnConfig } from './wrn.ts';
export { type Classifier, type CleanSet, type Perturbation } from './classifier.ts';
export { openModel, isOnnx, type ModelSource, type OpenModelOptions } from './modelSource.ts';
export { tfjsClassifier } from './tfjsClassifier.ts';
export { attackCells, evaluateCell } from './fourierAttack.ts';
export { evaluateClean } from './evaluateClean.ts';
export { wrnToOnnx, EXPORT_OPSET } from './onnx/exportWrn.ts';
export { DEFAULT_INPUT, type InputOptions } from './onnx/inputContract.ts';
export {
  train,
  holdoutSplit,
  referenceRecipe,
  type EpochEvent,
  type StepEvent,
  type TrainConfig,
  type TrainEvent,
  type TrainResult,
  type TrainSetup,
} from './train.ts';
export { trainStep, type StepLoss } from './trainStep.ts';
export { crossEntropy, jsdLoss, JSD_WEIGHT, type JsdLoss } from './losses.ts';
export { Sgd, cosineLr, type SgdConfig } from './sgd.ts';
export { loadCheckpoint, restoreCheckpoint, saveCheckpoint, type Checkpoint, type TrainingPosition } from './checkpoint.ts';
export { evaluate, predict, scorePredictions, type EvalResult, type EvaluateOptions } from './evaluate.ts';
export { loadModel, resolveCheckpoint, type LoadedModel } from './loadModel.ts';
export { type AttackOptions, type CellResult } from './fourierAttack.ts';
export { type Runtime } from './modelSource.ts';
