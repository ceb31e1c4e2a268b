// What a pipeline file needs, in one import (src/index.ts can re-export it for users of the package).
export { event, type ArtifactEvent, type LogEvent, type PipelineEvent, type ProfileEvent, type ProgressEvent, type SummaryEvent } from './events.ts';
export { param, paramMeta, z, type Param, type ParamMeta } from './params.ts';
export { definePipeline, isPipeline, type ParamSchema, type Pipeline, type PipelineContext } from './pipeline.ts';
export { prepareRun, type PreparedRun, type PrepareOptions } from './startRun.ts';
export { main, type MainIO } from './main.ts';
