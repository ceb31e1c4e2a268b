#!/usr/bin/env node
// The command line: `fourier-augmix <command>`. bin/fourier-augmix.js starts the built copy of this file.
import { fileURLToPath } from 'node:url';
import { SUPERVISED, supervise } from '../pipeline/supervise.ts';
import { startWatchdog } from '../pipeline/watchdog.ts';

/** Commands that do work long enough to be stopped by a signal; the others answer at once. */
const LONG_RUNNING = new Set(['run', 'profile', 'corrupt', 'data', 'export', 'report']);

const args = process.argv.slice(2);
if (process.env[SUPERVISED] === undefined && LONG_RUNNING.has(args[0] ?? '')) {
  // This process only relays signals and watches; the command runs in a child (see supervise.ts).
  process.exitCode = await supervise(fileURLToPath(import.meta.url), args);
} else {
  startWatchdog();
  const { main } = await import('./main.ts');
  process.exitCode = await main(args);
}
