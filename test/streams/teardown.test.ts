import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** A process that unsubscribes mid-stream (or fails in a worker) must exit by itself: no thread left behind. */
describe('teardown', () => {
  const script = join(import.meta.dirname, 'teardownScript.ts');
  it.each(['unsubscribe', 'error', 'complete'])('exits cleanly after %s', (mode) => {
    const started = Date.now();
    const r = spawnSync(process.execPath, ['--import', 'tsx', script, mode], { encoding: 'utf8', timeout: 30_000 });
    expect(r.stderr).not.toMatch(/Error(?!: augment)/);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`ok ${mode}`);
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
