import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Observable } from 'rxjs';
import { event, type PipelineEvent } from './events.ts';
import { ownExecArgv, ownModule } from '../packageFiles.ts';
import { superviseChild } from './supervise.ts';

/** The environment variable that makes `fourier-augmix run` print its events as JSON lines. */
export const CHILD_EVENTS = 'FOURIER_AUGMIX_EVENTS';
/** The environment variable that hands a child run its parameters, typed, as JSON. */
export const CHILD_PARAMS = 'FOURIER_AUGMIX_PARAMS';

/**
 * Runs `fourier-augmix run <pipeline> out=<out>` with `values` in a child process (in `cwd`) and relays its
 * events, progress stages and log lines prefixed with `label`, its summary as log lines. Why a
 * process: tfjs's wasm and cpu backends compute on one thread, so independent runs (one strategy
 * each) use a second core only from a second process. The values travel as JSON, so the child
 * checks the same typed values the parent resolved, not strings made from them. Unsubscribing
 * stops the child as SIGTERM would (at once if its main thread does not answer); the child ends
 * with this process if this one dies.
 */
export function childRun(
  pipeline: string,
  values: Readonly<Record<string, unknown>>,
  out: string,
  label: string,
  cwd: string,
  env: Readonly<Record<string, string>> = {},
): Observable<PipelineEvent> {
  return new Observable<PipelineEvent>((subscriber) => {
    const params = JSON.stringify(Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)));
    // The CLI of this very copy of the package, on the same code (sources or dist/) as the parent.
    const bin = fileURLToPath(ownModule('../cli/bin', import.meta.url));
    const run = superviseChild([...(ownExecArgv('process') ?? []), bin, 'run', pipeline, `out=${out}`], {
      cwd,
      env: { ...process.env, ...env, [CHILD_EVENTS]: 'jsonl', [CHILD_PARAMS]: params },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const { child } = run;
    const errLines: string[] = [];
    createInterface({ input: child.stderr as Readable }).on('line', (l) => {
      errLines.push(l);
      if (errLines.length > 20) errLines.shift();
    });
    createInterface({ input: child.stdout as Readable }).on('line', (line) => {
      let e: PipelineEvent;
      try {
        e = JSON.parse(line) as PipelineEvent;
      } catch {
        return; // not an event (a library printing to stdout): nothing to relay
      }
      if (e.type === 'progress') subscriber.next({ ...e, stage: `${label} ${e.stage}` });
      else if (e.type === 'log') subscriber.next(event.log(`${label}: ${e.message}`));
      else if (e.type === 'summary') e.lines.forEach((l) => subscriber.next(event.log(`${label}: ${l}`)));
      else subscriber.next(e);
    });
    child.on('error', (err) => subscriber.error(new Error(`${label}: could not start ${pipeline}: ${err.message}`, { cause: err })));
    child.on('close', (code, signal) => {
      if (code === 0) return subscriber.complete();
      const why = errLines.filter((l) => l.startsWith('error:')).at(-1) ?? errLines.at(-1) ?? '';
      subscriber.error(
        new Error(`${label}: \`fourier-augmix run ${pipeline}\` ${signal ? `was killed (${signal})` : `failed (exit ${code})`}${why ? `: ${why}` : ''}`),
      );
    });
    return () => run.stop('SIGTERM');
  });
}
