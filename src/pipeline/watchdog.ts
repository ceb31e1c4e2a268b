import { fstatSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { CONTROL_FD, SUPERVISED } from './supervise.ts';

/** Shared with the watchdog thread: [0] is set to 1 once the main thread has begun to stop. */
let flags: Int32Array | null = null;

/**
 * In a process started by `superviseChild`, starts the watchdog thread on the control pipe (see
 * `watchdogThread`); elsewhere does nothing. Returns whether it started.
 */
export function startWatchdog(): boolean {
  if (process.env[SUPERVISED] !== '1' || flags) return false;
  // Not inherited: a process this one starts gets a control pipe of its own, or none.
  delete process.env[SUPERVISED];
  if (!isPipe(CONTROL_FD)) return false;
  flags = new Int32Array(new SharedArrayBuffer(4));
  // The thread's code is this module's own function, evaluated: a thread started from the
  // TypeScript sources gets no ES module loader for a file of its own. `__name` is the helper that
  // tsx's transpiler calls to keep function names.
  const source = `var __name = (f) => f; (${watchdogThread.toString()})(require, require('node:worker_threads').workerData)`;
  const worker = new Worker(source, {
    eval: true,
    workerData: { flags, fd: CONTROL_FD },
  });
  worker.unref();
  return true;
}

function isPipe(fd: number): boolean {
  try {
    const stat = fstatSync(fd);
    return stat.isFIFO() || stat.isSocket();
  } catch {
    return false;
  }
}

/** Tells the watchdog that the main thread answered a stop request (a signal handler ran). */
export function markStopping(): void {
  if (flags) Atomics.store(flags, 0, 1);
}

/**
 * The watchdog thread of a supervised process (self-contained: it runs from its source text). It
 * reads stop requests (a signal name per line) from the control pipe on its own event loop, which
 * runs while the main thread is blocked.
 * - A request is passed to the main thread as the signal itself, unless the main thread already
 *   answered one: in a terminal, Ctrl-C reaches the supervisor and this process alike.
 * - If the main thread has not answered within `answerMs`, the process ends at once: a thread busy
 *   in one long synchronous call (building a huge model, say) cannot reach a safe point.
 * - When the pipe closes, the supervisor has died, and this process ends with it.
 */
function watchdogThread(load: NodeJS.Require, data: { flags: Int32Array; fd: number }): void {
  const { writeSync } = load('node:fs') as typeof import('node:fs');
  const { Socket } = load('node:net') as typeof import('node:net');
  /** How long a signal delivered directly may take to be answered before it is relayed. */
  const directMs = 300;
  const answerMs = 5000;

  const answered = (): boolean => Atomics.load(data.flags, 0) === 1;
  const endNow = (why: string): void => {
    if (why) writeSync(2, `${why}\n`);
    process.kill(process.pid, 'SIGKILL');
  };
  const onRequest = (signal: string): void => {
    setTimeout(() => {
      if (!answered()) process.kill(process.pid, signal);
      setTimeout(() => {
        if (!answered()) endNow(`interrupted: the main thread did not answer ${signal} within ${answerMs / 1000} s; stopped at once`);
      }, answerMs).unref();
    }, directMs).unref();
  };

  const pipe = new Socket({ fd: data.fd, readable: true, writable: false });
  let pending = '';
  pipe.setEncoding('utf8');
  pipe.on('data', (chunk: string) => {
    pending += chunk;
    for (let end = pending.indexOf('\n'); end >= 0; end = pending.indexOf('\n')) {
      const line = pending.slice(0, end);
      pending = pending.slice(end + 1);
      if (line === 'SIGINT' || line === 'SIGTERM') onRequest(line);
    }
  });
  pipe.on('error', () => endNow(''));
  pipe.on('close', () => endNow(''));
}
