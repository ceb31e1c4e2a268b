import { spawn, type ChildProcess, type IOType, type SpawnOptions } from 'node:child_process';
import { constants } from 'node:os';
import type { Writable } from 'node:stream';

/** Set in a supervised process: its file descriptor `CONTROL_FD` is the supervisor's control pipe. */
export const SUPERVISED = 'FOURIER_AUGMIX_SUPERVISED';
/** The control pipe's descriptor in the supervised process (the first after stdio). */
export const CONTROL_FD = 3;
/** The signals a supervisor relays; any other ends the supervisor, which ends the child too. */
export const RELAYED_SIGNALS = ['SIGINT', 'SIGTERM'] as const;
export type RelayedSignal = (typeof RELAYED_SIGNALS)[number];

/** A process started with a control pipe (see `superviseChild`). */
export interface SupervisedChild {
  readonly child: ChildProcess;
  /**
   * Asks the child to stop as if it had received `signal`. The child's watchdog relays it to the
   * main thread and ends the process at once if the main thread does not answer in time.
   */
  stop(signal: RelayedSignal): void;
  /** Ends the child at once (SIGKILL). */
  kill(): void;
}

/**
 * Spawns `args` under Node with a control pipe on descriptor 3. Why a pipe and not a signal: a
 * signal reaches a Node process through its main thread's event loop, so a main thread busy in one
 * long synchronous call never sees it. The child's watchdog thread reads the pipe on its own loop,
 * and when the pipe closes (this process died, even by SIGKILL) it ends the child, so no orphan
 * keeps writing into a run folder.
 */
export function superviseChild(args: readonly string[], options: Omit<SpawnOptions, 'stdio'> & { stdio: readonly [IOType, IOType, IOType] }): SupervisedChild {
  const child = spawn(process.execPath, args, {
    ...options,
    stdio: [...options.stdio, 'pipe'],
    env: { ...(options.env ?? process.env), [SUPERVISED]: '1' },
  });
  const control = child.stdio[CONTROL_FD] as Writable;
  control.on('error', () => {}); // the child is gone: its exit is reported by 'exit'
  return {
    child,
    stop: (signal) => {
      if (child.exitCode === null && child.signalCode === null) control.write(`${signal}\n`);
    },
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** 128 + the signal's number: the shell's status for a process a signal ended. */
export function signalStatus(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 0);
}

/**
 * Runs the command line `args` of `entry` in a supervised child and returns its exit status. The
 * first SIGINT or SIGTERM is relayed through the control pipe (the child stops at its next safe
 * point, or at once if its main thread does not answer); a second one ends the child at once.
 * A child ended by a signal gives 128 + the number of the signal that was asked for.
 */
export function supervise(entry: string, args: readonly string[]): Promise<number> {
  const run = superviseChild([...process.execArgv, entry, ...args], { stdio: ['inherit', 'inherit', 'inherit'] });
  let asked: RelayedSignal | null = null;
  const onSignal = (signal: RelayedSignal): void => {
    if (asked) {
      process.stderr.write(`interrupted: stopped at once on a second ${signal} (files already written are kept; a training run continues with resume=true)\n`);
      return run.kill();
    }
    asked = signal;
    run.stop(signal);
  };
  for (const s of RELAYED_SIGNALS) process.on(s, onSignal);
  return new Promise((resolve) => {
    run.child.on('error', (err) => {
      for (const s of RELAYED_SIGNALS) process.off(s, onSignal);
      process.stderr.write(`error: could not start ${entry}: ${err.message}\n`);
      resolve(1);
    });
    run.child.on('exit', (code, signal) => {
      for (const s of RELAYED_SIGNALS) process.off(s, onSignal);
      resolve(code ?? signalStatus(asked ?? signal ?? 'SIGKILL'));
    });
  });
}
