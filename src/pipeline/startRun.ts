import { existsSync, rmdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { catchError, concat, concatMap, defer, EMPTY, finalize, mergeMap, type Observable } from 'rxjs';
import { writeJsonAtomic } from '../data/atomic.ts';
import { FOLDER_LOCK, takeLock } from '../data/writerLock.ts';
import { event, type PipelineEvent } from './events.ts';
import { resolveParams } from './overrides.ts';
import type { Pipeline } from './pipeline.ts';

/** Removes `dir` if it is empty (what a refused run created), else leaves it. */
function rmdirQuietly(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // Not empty, or already gone: nothing of the user's is removed.
  }
}

/** A validated run, ready to subscribe to. */
export interface PreparedRun {
  readonly pipeline: Pipeline;
  readonly file: string;
  readonly params: Record<string, unknown>;
  readonly given: ReadonlySet<string>;
  /** Absolute run directory. */
  readonly runDir: string;
  /**
   * Cold: on subscription, takes the run folder's lock (creating the folder), runs the pipeline and
   * writes the resolved `config.json` once the work starts (its first progress or file), so a run
   * refused by its own checks leaves the folder as it was. Unsubscribing stops it.
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
  const config = { pipeline: pipeline.name, file, params };
  const events = defer(async () => {
    const created = !existsSync(runDir);
    await mkdir(runDir, { recursive: true });
    // Pipelines whose runs share a folder (the shards of a Fourier grid) lock what each one writes.
    const shared = typeof pipeline.sharedFolder === 'function' ? pipeline.sharedFolder(params) : pipeline.sharedFolder === true;
    const lock = shared
      ? null
      : await takeLock(join(runDir, FOLDER_LOCK), `run folder ${runDir}`).catch(async (err: unknown) => {
          if (created) rmdirQuietly(runDir);
          throw err;
        });
    return { created, lock };
  }).pipe(
    concatMap(({ created, lock }) => {
      let written: Promise<void> | null = null;
      const recorded: Record<string, unknown> = {};
      const startedAt = new Date().toISOString();
      const write = (): Promise<void> => writeJsonAtomic(join(runDir, 'config.json'), { ...config, ...recorded, startedAt });
      const writeConfig = (): Promise<void> => (written ??= write());
      let failed = false;
      return concat(
        lock?.notice ? [event.log(lock.notice)] : [],
        pipeline.run(params, ctx).pipe(
          concatMap(async (e) => {
            if (e.type === 'record') {
              recorded[e.key] = e.value;
              // A fact that comes after the first write is added to the file written.
              if (written !== null) await (written = written.then(write));
            }
            if ((e.type === 'progress' && !e.preparing) || e.type === 'artifact') await writeConfig();
            return e;
          }),
        ),
        defer(() => writeConfig()).pipe(mergeMap(() => EMPTY)),
      ).pipe(
        catchError((err: unknown) => {
          failed = true;
          throw err;
        }),
        finalize(() => {
          lock?.release();
          // A run that failed before writing anything leaves no folder behind it either.
          if (failed && created && written === null) rmdirQuietly(runDir);
        }),
      );
    }),
  );
  return { pipeline, file, params: params as Record<string, unknown>, given, runDir, events };
}
