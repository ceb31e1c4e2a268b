import type { ProfileSnapshot } from '../streams/profiler.ts';

/** `done` of `total` units of a named stage; the renderer turns these into progress bars. */
export interface ProgressEvent {
  readonly type: 'progress';
  readonly stage: string;
  readonly done: number;
  readonly total: number;
  /** What is counted, e.g. `'images'`. */
  readonly unit: string;
  /** A short note shown after the bar, e.g. the current epoch. */
  readonly info?: string;
  /**
   * Progress of getting the inputs ready (decoding images), not of the run's work: the run folder
   * stays untouched until the work starts, so a run refused after it leaves nothing behind.
   */
  readonly preparing?: true;
}

/** A line for the user. */
export interface LogEvent {
  readonly type: 'log';
  readonly message: string;
}

/** A file the run wrote, for the user to open. */
export interface ArtifactEvent {
  readonly type: 'artifact';
  readonly path: string;
  readonly description: string;
}

/** A profiler snapshot: per-stage throughput and queue depths. */
export interface ProfileEvent {
  readonly type: 'profile';
  readonly snapshot: ProfileSnapshot;
}

/** Closing lines, printed on stdout once the run has finished. */
export interface SummaryEvent {
  readonly type: 'summary';
  readonly lines: readonly string[];
}

/**
 * A fact about how the run ran that its `config.json` keeps beside the settings, under `key`
 * (e.g. the backend `auto` chose and the GPU adapter); the display shows none of it.
 */
export interface RecordEvent {
  readonly type: 'record';
  readonly key: string;
  readonly value: unknown;
}

/** Everything a pipeline tells the outside world: the CLI only renders these. */
export type PipelineEvent = ProgressEvent | LogEvent | ArtifactEvent | ProfileEvent | SummaryEvent | RecordEvent;

/** Event constructors, so pipelines read as what they report rather than object literals. */
export const event = {
  progress: (stage: string, done: number, total: number, unit: string, info?: string): ProgressEvent =>
    info === undefined ? { type: 'progress', stage, done, total, unit } : { type: 'progress', stage, done, total, unit, info },
  preparing: (stage: string, done: number, total: number, unit: string): ProgressEvent => ({ type: 'progress', stage, done, total, unit, preparing: true }),
  log: (message: string): LogEvent => ({ type: 'log', message }),
  artifact: (path: string, description: string): ArtifactEvent => ({ type: 'artifact', path, description }),
  profile: (snapshot: ProfileSnapshot): ProfileEvent => ({ type: 'profile', snapshot }),
  summary: (lines: readonly string[]): SummaryEvent => ({ type: 'summary', lines }),
  record: (key: string, value: unknown): RecordEvent => ({ type: 'record', key, value }),
};
