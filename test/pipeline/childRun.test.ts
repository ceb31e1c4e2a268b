import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { filter, lastValueFrom, toArray } from 'rxjs';
import { childRun } from '../../src/pipeline/childRun.ts';
import { alive, gone } from './processes.ts';

const out = mkdtempSync(join(tmpdir(), 'fa-child-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));
const echo = resolve('test/fixtures/pipelines/echo.ts');

describe('childRun', () => {
  it("relays a child run's events, labelled, with its summary as log lines", async () => {
    const events = await lastValueFrom(childRun(echo, { words: ['x', 'y'] }, out, '[A]', process.cwd()).pipe(toArray()));
    expect(events).toEqual([
      { type: 'progress', stage: '[A] echo', done: 1, total: 2, unit: 'words' },
      { type: 'log', message: '[A]: x y' },
      { type: 'log', message: '[A]: echoed' },
      { type: 'progress', stage: '[A] echo', done: 2, total: 2, unit: 'words' },
    ]);
  });

  it("fails with the child's error line and exit status", async () => {
    await expect(lastValueFrom(childRun(echo, { fail: true }, out, '[B]', process.cwd()))).rejects.toThrow(
      `[B]: \`fourier-augmix run ${echo}\` failed (exit 1): error: asked to fail`,
    );
    await expect(lastValueFrom(childRun(echo, { nope: 1 }, out, '[C]', process.cwd()))).rejects.toThrow(
      /\[C\]: .* failed \(exit 2\): error: .*unknown parameter 'nope'/,
    );
  });

  it('terminates the child when unsubscribed', async () => {
    const run = childRun(echo, { hang: true }, out, '[D]', process.cwd());
    let sub: { unsubscribe(): void } | null = null;
    const pid = await new Promise<number>((done, fail) => {
      sub = run
        .pipe(filter((e) => e.type === 'log'))
        .subscribe({ next: (e) => done(Number(/pid (\d+)/.exec((e as { message: string }).message)![1])), error: fail });
    });
    expect(alive(pid)).toBe(true);
    sub!.unsubscribe();
    expect(await gone(pid, 5000)).toBe(true);
  });
});
