// What a pipeline file needs, in one import (src/index.ts can re-export it for users of the package).
export { event, type ArtifactEvent, type LogEvent, type PipelineEvent, type ProfileEvent, type ProgressEvent, type SummaryEvent } from './events.ts';
export { param, paramMeta, z, type Param, type ParamMeta } from './params.ts';
export { definePipeline, isPipeline, type ParamSchema, type Pipeline, type PipelineContext } from './pipeline.ts';
export { prepareRun, type PreparedRun, type PrepareOptions } from './startRun.ts';
export { main, type MainIO } from './main.ts';
// The jobs the built-in pipelines are made of, as event streams a pipeline file of one's own can reuse.
export { trainSeeds, type TrainSeedsSpec } from './trainSeeds.ts';
export { cleanEvaluation, type CleanEvalSpec } from './cleanEval.ts';
export { cifarCEvaluation, readCifarCReport, type CifarCEvalSpec } from './cifarCEval.ts';
export { fourierEvaluation, type FourierEvalSpec } from './fourierEval.ts';
export { corruptEvents, planCorrupt, type CorruptCommandOptions, type CorruptPlan } from './corruptCommand.ts';
export { exportOnnx } from './exportCommand.ts';
export { loadDataset, resolveDataDir } from './loadDataset.ts';
export { childRun } from './childRun.ts';
export { UsageError } from './usageError.ts';
