import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { filter } from 'rxjs';
import { childRun } from '../../src/pipeline/childRun.ts';
import { signalStatus } from '../../src/pipeline/supervise.ts';
import { alive, gone } from './processes.ts';

const out = mkdtempSync(join(tmpdir(), 'fa-supervise-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));
const echo = resolve('test/fixtures/pipelines/echo.ts');

/** `fourier-augmix run echo <args>` through the installed entry (supervisor and child), until its run logs its pid. */
async function startEcho(args: string[]) {
  const proc = spawn(process.execPath, [resolve('bin/fourier-augmix.js'), 'run', echo, `out=${out}`, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((res) => proc.on('exit', (code) => res(code)));
  while (!/pid \d+/.test(stderr) && proc.exitCode === null) await sleep(10);
  const pid = Number(/pid (\d+)/.exec(stderr)?.[1]);
  // The run is a child of the entry's process, which only relays signals.
  expect(pid).not.toBe(proc.pid);
  return { proc, pid, exited, stderr: () => stderr };
}

/** The run ended with `status` within `withinMs` of `t0`, said `message`, and its process is gone. */
async function expectEnded(run: Awaited<ReturnType<typeof startEcho>>, t0: number, status: number, withinMs: number, message: string): Promise<void> {
  expect(await run.exited).toBe(status);
  expect(Date.now() - t0).toBeLessThan(withinMs);
  expect(run.stderr()).toContain(message);
  expect(await gone(run.pid, 1000)).toBe(true);
}

describe('the supervisor of a long-running command', () => {
  it('stops a responsive run at its next safe point on SIGINT, with status 130', async () => {
    const run = await startEcho(['hang=true']);
    const t0 = Date.now();
    run.proc.kill('SIGINT');
    await expectEnded(run, t0, 130, 3000, 'interrupted: stopped the pipeline and its workers');
    expect(run.stderr()).not.toContain('did not answer');
  });

  it('ends a run whose main thread is blocked a few seconds after SIGTERM, with status 143', async () => {
    const run = await startEcho(['block=true']);
    await sleep(400); // the main thread is now in its endless loop
    const t0 = Date.now();
    run.proc.kill('SIGTERM');
    await expectEnded(run, t0, 143, 9000, 'interrupted: the main thread did not answer SIGTERM within 5 s; stopped at once');
  }, 15_000);

  it('ends it at once on a second signal', async () => {
    const run = await startEcho(['block=true']);
    await sleep(400);
    const t0 = Date.now();
    run.proc.kill('SIGINT');
    await sleep(100);
    run.proc.kill('SIGINT');
    await expectEnded(run, t0, signalStatus('SIGINT'), 2500, 'interrupted: stopped at once on a second SIGINT');
    expect(run.stderr()).not.toContain('did not answer');
  });

  it('takes the run with it when it is killed itself (no orphan writing on)', async () => {
    const run = await startEcho(['hang=true']);
    run.proc.kill('SIGKILL');
    await run.exited;
    expect(await gone(run.pid, 2000)).toBe(true);
  });
});

describe('childRun', () => {
  it('ends a child whose main thread is blocked when unsubscribed', async () => {
    const events = childRun(echo, { block: true }, out, '[E]', process.cwd());
    let sub: { unsubscribe(): void } | null = null;
    const pid = await new Promise<number>((done, fail) => {
      sub = events
        .pipe(filter((e) => e.type === 'log' && /pid \d+/.test(e.message)))
        .subscribe({ next: (e) => done(Number(/pid (\d+)/.exec((e as { message: string }).message)![1])), error: fail });
    });
    await sleep(400);
    expect(alive(pid)).toBe(true);
    sub!.unsubscribe();
    expect(await gone(pid, 9000)).toBe(true);
  }, 15_000);
});
