/** The tfjs side: the only part of the package that creates tensors. */
export { toTensors, type TensorBatch } from './feed.ts';
