// What a pipeline file needs, in one import: `fourier-augmix/pipeline`.
export { event, type ArtifactEvent, type LogEvent, type PipelineEvent, type ProfileEvent, type ProgressEvent, type SummaryEvent } from './events.ts';
export { param, paramMeta, z, type Param, type ParamMeta } from './params.ts';
export { modelParams, inputOptions } from './modelParams.ts';
export { definePipeline, isPipeline, type ParamSchema, type Pipeline, type PipelineContext, type Preset } from './pipeline.ts';
export { prepareRun, type PreparedRun, type PrepareOptions } from './startRun.ts';
export { loadPipeline, type LoadedPipeline } from './resolvePipeline.ts';
export { childRun } from './childRun.ts';
export { UsageError } from './usageError.ts';
