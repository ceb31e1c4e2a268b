/**
 * fourier-augmix: Fourier-basis augmentations, AugMix and robustness evaluation as RxJS streams.
 * `ops` holds the pure kernels; the rest composes them. tfjs stages live in `fourier-augmix/model`,
 * the pipeline-authoring API in `fourier-augmix/pipeline`, file formats in `fourier-augmix/data`,
 * so importing the streams never loads tfjs.
 */
export * as ops from './ops/index.ts';
export { Rng, type RngState } from './ops/rng.ts';
export { defineStrategy, strategies, strategyByName, viewCount, type Strategy, type StrategySpec, type PrimitiveModule } from './ops/strategy.ts';
export { checkStrategy, isStrategyModule, loadStrategies, loadStrategy, strategyDefinition } from './streams/loadStrategy.ts';
export { confidenceAndCorrect, errorRate, rmsCalibrationError, softmaxRows, type CalibrationOptions } from './ops/metrics.ts';
export { floatParameter, intParameter, sampleLevel, type Primitive, type OpRecord } from './ops/primitive.ts';
export { builtinPrimitives, primitiveSets } from './ops/augmentations.ts';
export type { SampleParams, ViewParams } from './ops/sampleParams.ts';
export { epochs, type EpochPlan, type EpochsOptions } from './streams/epochs.ts';
export { augment, type AugmentOptions } from './streams/augment.ts';
export { batch, type Batch, type BatchOptions } from './streams/batch.ts';
export type { AugmentedChunk } from './streams/chunk.ts';
export { createAugmentPool, type AugmentPool } from './streams/pool.ts';
export { Profiler, type ProfileSnapshot } from './streams/profiler.ts';
export { corruptDataset, type CorruptEvent, type CorruptOptions } from './streams/corrupt.ts';
export { fourierCells, type FourierCellsOptions } from './streams/fourierCells.ts';
