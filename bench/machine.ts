/**
 * What the machine gives the bench: CPU ticks (to see whether other processes competed), how well
 * two CPU-bound threads run side by side, and which Python pieces the reference side can use.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

export const PYTHON = '/usr/bin/python3';

/** CPU ticks: busy on the whole machine, and used by this process plus its waited-for children (Linux). */
export function ticks(): { all: number; mine: number } | null {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const self = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ').map(Number);
    return { all: cpu.reduce((a, b) => a + b, 0) - cpu[3]! - cpu[4]!, mine: self[11]! + self[12]! + self[13]! + self[14]! };
  } catch {
    return null;
  }
}

/**
 * Throughput of 2 concurrent copies of a typed-array loop (L1-sized, like ours) over 1 copy. On an
 * idle 2-core machine ~2; SMT siblings or a busy host give less, which caps the 2-worker target
 * for any code, the reference's included.
 */
export async function machineParallelism(): Promise<number> {
  const code = `const { parentPort } = require('node:worker_threads'); const a = new Uint8Array(32768).map((_, i) => i * 7);
    const f = new Float32Array(32768); for (let r = 0; r < 6000; r++) for (let i = 0; i < 32768; i++) f[i] = f[i] * 0.5 + a[i] * 0.25;
    parentPort.postMessage(f[0]);`;
  const spin = (n: number): Promise<number> => {
    const t = performance.now();
    return Promise.all(Array.from({ length: n }, () => new Promise((r) => new Worker(code, { eval: true, execArgv: [] }).once('message', r)))).then(
      () => performance.now() - t,
    );
  };
  await spin(1);
  const one = Math.min(await spin(1), await spin(1));
  return (2 * one) / Math.min(await spin(2), await spin(2));
}

/** Whether `python3 -c "import <modules>"` works. */
export function pythonHas(modules: string): boolean {
  try {
    execFileSync(PYTHON, ['-c', `import ${modules}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
