import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { concatMap, defer, type Observable } from 'rxjs';
import { writeJsonAtomic } from '../data/atomic.ts';
import type { PipelineEvent } from './events.ts';
import { resolveParams } from './overrides.ts';
import type { Pipeline } from './pipeline.ts';

/** A validated run, ready to subscribe to. */
export interface PreparedRun {
  readonly pipeline: Pipeline;
  readonly file: string;
  readonly params: Record<string, unknown>;
  readonly given: ReadonlySet<string>;
  /** Absolute run directory. */
  readonly runDir: string;
  /**
   * Cold: on subscription, creates `runDir`, writes the resolved `config.json` into it, then runs
   * the pipeline. Unsubscribing stops it.
   */
  readonly events: Observable<PipelineEvent>;
}

/** Options for `prepareRun`. */
export interface PrepareOptions {
  readonly cwd: string;
  readonly signal?: AbortSignal;
  /** Run directory when `out=` is not given; default `runs/<name>/` under `cwd`. */
  readonly defaultRunDir?: string;
}

/**
 * Validates `overrides` against `pipeline` (see `resolveParams`) and builds its event stream.
 * Pipelines that run other pipelines (e.g. `main`) use this too, so every run directory gets its
 * own `config.json`.
 *
 * @throws UsageError for unknown keys or bad values, naming `file`
 */
export function prepareRun(pipeline: Pipeline, file: string, overrides: Readonly<Record<string, unknown>>, options: PrepareOptions): PreparedRun {
  const { params, out, given } = resolveParams(pipeline, overrides, file);
  const runDir = resolve(options.cwd, out ?? options.defaultRunDir ?? join('runs', pipeline.name));
  const ctx = { runDir, cwd: options.cwd, ...(options.signal ? { signal: options.signal } : {}) };
  const events = defer(async () => {
    await mkdir(runDir, { recursive: true });
    const config = { pipeline: pipeline.name, file, params, startedAt: new Date().toISOString() };
    await writeJsonAtomic(join(runDir, 'config.json'), config);
  }).pipe(concatMap(() => pipeline.run(params, ctx)));
  return { pipeline, file, params: params as Record<string, unknown>, given, runDir, events };
}
