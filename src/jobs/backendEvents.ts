import { formatBackendSelection, type BackendSelection } from '../model/backend.ts';
import type { ModelSource } from '../model/modelSource.ts';
import { event, type PipelineEvent } from '../pipeline/events.ts';

/** What a run computes on, for the display (every backend tried, and why) and for its `config.json` (`backend`). */
export function backendEvents(selection: BackendSelection): PipelineEvent[] {
  return [
    event.log(formatBackendSelection(selection)),
    event.record('backend', selection.adapter ? { name: selection.name, adapter: selection.adapter } : { name: selection.name }),
  ];
}

/** The same for an evaluation, whose model may run on onnxruntime instead of a tfjs backend. */
export function evaluatedModelEvents(selection: BackendSelection | null, model: ModelSource): PipelineEvent[] {
  const runs =
    selection && model.runtime === 'tfjs'
      ? backendEvents(selection)
      : [event.log(`model: ${model.classifier.description}`), event.record('backend', { name: model.runtime, model: model.classifier.description })];
  return model.notice ? [...runs, event.log(model.notice)] : runs;
}
