import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { STALE_MS, takeLock } from '../../src/data/writerLock.ts';
import { tmpDir } from './tmpDir.ts';

const dir = tmpDir('lock');

describe('writer lock', () => {
  it('is exclusive: a second writer is refused at once, naming the holder, until the first releases', async () => {
    const path = join(dir, 'a.lock');
    const first = await takeLock(path, 'run folder X');
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ host: hostname(), pid: process.pid });
    await expect(takeLock(path, 'run folder X')).rejects.toThrow(new RegExp(`^run folder X is in use by process ${process.pid} on ${hostname()} since .* \\(${path}\\)`));
    first.release();
    expect(existsSync(path)).toBe(false);
    first.release(); // twice is harmless
    const second = await takeLock(path, 'run folder X');
    expect(second.notice).toBeNull();
    second.release();
  });

  it('takes over a lock whose process is gone from this host, with a notice', async () => {
    const path = join(dir, 'b.lock');
    const gone = spawnSync(process.execPath, ['-e', '']).pid!;
    writeFileSync(path, JSON.stringify({ host: hostname(), pid: gone, since: '2026-01-01T00:00:00.000Z' }));
    const lock = await takeLock(path, 'run folder Y');
    expect(lock.notice).toBe(`took over ${path} from process ${gone}, which is gone`);
    expect(JSON.parse(readFileSync(path, 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it("refuses a lock held on another host (its process cannot be checked from here)", async () => {
    const path = join(dir, 'c.lock');
    writeFileSync(path, JSON.stringify({ host: 'elsewhere', pid: 1, since: '2026-01-01T00:00:00.000Z' }));
    await expect(takeLock(path, 'shard 0/2')).rejects.toThrow('shard 0/2 is in use by process 1 on elsewhere');
    expect(JSON.parse(readFileSync(path, 'utf8')).host).toBe('elsewhere');
  });

  it('takes over a lock its holder stopped touching, whatever the host (a task rescheduled after a kill)', async () => {
    const path = join(dir, 'd.lock');
    writeFileSync(path, JSON.stringify({ host: 'elsewhere', pid: 1, since: '2026-01-01T00:00:00.000Z' }));
    const old = new Date(Date.now() - STALE_MS - 60_000);
    utimesSync(path, old, old);
    const lock = await takeLock(path, 'shard 1/2');
    expect(lock.notice).toBe(`took over ${path} from process 1 on elsewhere, which had not touched it for 6 min`);
    lock.release();
  });

  it('leaves a lock that another writer took over in the meantime', async () => {
    const path = join(dir, 'e.lock');
    const lock = await takeLock(path, 'run folder Z');
    const other = JSON.stringify({ host: 'elsewhere', pid: 2, since: '2026-01-02T00:00:00.000Z' });
    writeFileSync(path, other);
    lock.release();
    expect(readFileSync(path, 'utf8')).toBe(other);
  });
});
