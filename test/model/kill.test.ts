import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadCheckpoint } from '../../src/model/checkpoint.ts';
import { cli } from '../cli/io.ts';
import { TRAIN_BACKEND } from './testBackend.ts';
import { gone } from '../pipeline/processes.ts';

const args = (out: string): string[] => [
  'run',
  'train',
  'strategy=AugSF',
  'limit=24',
  'depth=10',
  'widen=1',
  'epochs=3',
  'batchSize=8',
  'holdout=8',
  'evalBatch=16',
  `backend=${TRAIN_BACKEND}`,
  'workers=0',
  `out=${out}`,
];
const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'fa-kill-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('a training process killed with SIGKILL', () => {
  it('leaves a readable checkpoint, and resuming ends with the bytes of an uninterrupted run', async () => {
    const killed = tmp();
    const ckPath = join(killed, 'seed-0', 'checkpoint.msgpack');
    const child = spawn(process.execPath, [resolve('bin/fourier-augmix.js'), ...args(killed)], { stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((res) => child.on('exit', (_code, signal) => res(signal)));
    // Kill as soon as the first checkpoint exists: the next epoch is running, or the next write.
    while (!existsSync(ckPath) && child.exitCode === null) await sleep(10);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    // The run itself is a child of the killed process (which only relays signals); it ends with it.
    const runPid = (JSON.parse(readFileSync(join(killed, '.fourier-augmix.lock'), 'utf8')) as { pid: number }).pid;
    expect(runPid).not.toBe(child.pid);
    expect(await gone(runPid, 3000)).toBe(true);
    const ck = await loadCheckpoint(ckPath);
    expect(ck.epoch).toBeGreaterThanOrEqual(1);
    expect(ck.epoch).toBeLessThan(3);

    const resumed = await cli([...args(killed), 'resume=true']);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(/resumed after epoch \d of 3 from/);
    const whole = tmp();
    expect((await cli(args(whole))).code).toBe(0);
    const weights = async (dir: string): Promise<Float32Array[]> => {
      const c = await loadCheckpoint(join(dir, 'seed-0', 'checkpoint.msgpack'));
      return [...c.params, ...c.buffers, ...c.momentum];
    };
    expect(await weights(killed)).toEqual(await weights(whole));
    // A temp file from an interrupted write may remain; it never replaces the checkpoint.
    expect(
      readdirSync(join(killed, 'seed-0'))
        .filter((f) => !f.endsWith('.tmp'))
        .sort(),
    ).toEqual(['best.msgpack', 'checkpoint.msgpack', 'metrics.jsonl', 'result.json']);
  });
});

describe('a training process stopped with SIGTERM', () => {
  it('stops at once with status 143, says how to resume, and leaves no lock behind', async () => {
    const out = tmp();
    const child = spawn(process.execPath, [resolve('bin/fourier-augmix.js'), ...args(out)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    while (!stderr.includes('train seed 0:') && child.exitCode === null) await sleep(10);
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(stderr).toContain(`to continue where it stopped: npx fourier-augmix run train ${args(out).slice(2).join(' ')} resume=true`);
    expect(existsSync(join(out, '.fourier-augmix.lock'))).toBe(false);
  });

  it('says so when resume=true finds no checkpoint to resume from', async () => {
    const r = await cli([...args(tmp()), 'epochs=1', 'resume=true'].filter((a) => a !== 'epochs=3'));
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('train seed 0: resume=true, but no checkpoint to resume from: starting at epoch 1');
  });
});
