// The jobs the built-in pipelines are made of, as event streams a pipeline of one's own can reuse:
// `fourier-augmix/jobs`. Each takes typed values, resolved paths and data sets.
export { trainSeeds, type TrainSeedsSpec } from './trainSeeds.ts';
export { cleanEvaluation, type CleanEvalSpec } from './cleanEvaluation.ts';
export { cifarCEvaluation, readCifarCReport, type CifarCEvalSpec } from './cifarCEvaluation.ts';
export { fourierEvaluation, type FourierEvalSpec } from './fourierEvaluation.ts';
export { corruptEvents, listCorruptions, planCorrupt, type CorruptPlan, type CorruptSpec } from './corrupt.ts';
export { exportOnnx } from './exportOnnx.ts';
export { fetchEvents, resolveArchives } from './fetchData.ts';
export { loadDataset, resolveDataDir } from './loadDataset.ts';
