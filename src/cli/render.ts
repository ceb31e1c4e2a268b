import { PassThrough } from 'node:stream';
import type { Observable } from 'rxjs';
import { profileLines } from '../report/profileTable.ts';
import type { ProfileSnapshot } from '../streams/profiler.ts';
import type { ArtifactEvent, PipelineEvent } from '../pipeline/events.ts';
import { markStopping } from '../pipeline/watchdog.ts';
import { LiveDisplay } from './liveDisplay.ts';

/** Where the renderer writes: progress, logs and tables on stderr; the summary on stdout. */
export interface RenderIO {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

/** Options for `render`. */
export interface RenderOptions {
  /** Aborted (and the stream unsubscribed) on SIGINT/SIGTERM. */
  readonly abort?: AbortController;
  /** Redraws per second on a terminal (default 4). */
  readonly fps?: number;
  /** Milliseconds between plain-text snapshots when stderr is not a terminal (default 2000). */
  readonly notTTYScheduleMs?: number;
  /**
   * Write every event as one JSON line on stdout and nothing else: how a pipeline run in a child
   * process (`childRun`) reports to its parent.
   */
  readonly jsonl?: boolean;
}

/** How a rendered run ended (errors reject instead). */
export interface RenderResult {
  readonly interrupted: boolean;
  /** The signal that interrupted it. */
  readonly signal?: NodeJS.Signals;
  readonly artifacts: readonly ArtifactEvent[];
}

/**
 * Subscribes to a pipeline's events and renders them: progress bars and the live profile table on
 * stderr (see `LiveDisplay`), log lines above them, then the final profile table, the files written,
 * and the summary on stdout. On SIGINT/SIGTERM it unsubscribes, which aborts queued worker tasks and
 * destroys the pool, so the process exits on its own; a second Ctrl-C kills it as usual. Under the
 * supervisor, it tells the watchdog that the main thread answered (see watchdog.ts).
 */
export function render(events: Observable<PipelineEvent>, io: RenderIO, options: RenderOptions = {}): Promise<RenderResult> {
  const live = new LiveDisplay(options.jsonl ? new PassThrough() : io.stderr, { fps: options.fps ?? 4, notTTYScheduleMs: options.notTTYScheduleMs ?? 2000 });
  const artifacts: ArtifactEvent[] = [];
  const summary: string[] = [];
  let profile: ProfileSnapshot | null = null;

  const finish = (): void => {
    if (options.jsonl) return;
    live.close();
    if (profile) profileLines(profile).forEach((l) => live.log(l));
    for (const a of artifacts) live.log(`wrote ${a.path}  (${a.description})`);
    for (const s of summary) io.stdout.write(`${s}\n`);
  };

  return new Promise<RenderResult>((resolve, reject) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      markStopping();
      cleanup();
      options.abort?.abort();
      subscription.unsubscribe();
      finish();
      live.log('interrupted: stopped the pipeline and its workers');
      resolve({ interrupted: true, signal, artifacts });
    };
    const cleanup = (): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const subscription = events.subscribe({
      next: (e) => {
        if (options.jsonl) io.stdout.write(`${JSON.stringify(e)}\n`);
        else if (e.type === 'progress') live.progress(e);
        else if (e.type === 'profile') live.profile((profile = e.snapshot));
        else if (e.type === 'log') live.log(e.message);
        else if (e.type === 'artifact') artifacts.push(e);
        else if (e.type === 'summary') summary.push(...e.lines);
        // A record is for config.json (written by the run), not for the display.
      },
      error: (err: unknown) => {
        cleanup();
        finish();
        reject(err);
      },
      complete: () => {
        cleanup();
        finish();
        resolve({ interrupted: false, artifacts });
      },
    });
  });
}
