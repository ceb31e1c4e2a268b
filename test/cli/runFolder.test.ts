import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FOLDER_LOCK } from '../../src/data/writerLock.ts';
import { tmpDir } from '../data/tmpDir.ts';
import { cli } from './io.ts';

const dir = tmpDir('runfolder');
const train = (out: string, ...more: string[]) =>
  cli([
    'run',
    'train',
    'depth=10',
    'widen=1',
    'limit=32',
    'batchSize=16',
    'workers=0',
    'backend=wasm',
    `out=${out}`,
    ...(more.some((m) => m.startsWith('epochs=')) ? more : ['epochs=1', ...more]),
  ]);

/** Every file under `root` with the SHA-256 of its bytes. */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(root, rel))) {
      const path = join(root, rel, name);
      if (statSync(path).isDirectory()) walk(join(rel, name));
      else out[join(rel, name)] = createHash('sha256').update(readFileSync(path)).digest('hex');
    }
  };
  walk('');
  return out;
}

describe('run folders', () => {
  it('a refused resume leaves the finished run folder as it was, byte for byte', async () => {
    const out = join(dir, 'finished');
    expect((await train(out)).code).toBe(0);
    const before = snapshot(out);
    expect(Object.keys(before)).toEqual(expect.arrayContaining(['config.json', 'summary.json', join('seed-0', 'checkpoint.msgpack')]));
    const r = await train(out, 'epochs=2', 'resume=true');
    expect(r.code).toBe(2); // the settings are the user's to fix
    expect(r.stderr).toContain('train into another folder (out=...) to change them');
    expect(r.stderr).toMatch(/cannot resume, the run's settings changed: epochs was 1, now 2/);
    expect(snapshot(out)).toEqual(before);
  });

  it('a run refused before any work leaves no folder behind', async () => {
    const out = join(dir, 'never');
    const r = await train(out, `data=${join(dir, 'no-such-data')}`);
    expect(r.code).toBe(2); // bad input, as a bad setting
    expect(r.stderr).toContain(`error: data=${join(dir, 'no-such-data')}: `);
    expect(existsSync(out)).toBe(false);
    // A model size that would exhaust memory is a bad setting, refused before anything is built.
    const huge = await cli(['run', 'train', 'depth=100000', `out=${out}`]);
    expect(huge.code).toBe(2);
    expect(huge.stderr).toBe('error: pipelines/train.ts: depth=100000 is invalid: expected an integer in [10, 100]\n');
    expect(existsSync(out)).toBe(false);
  });

  it('a second writer into a folder in use is refused at once, naming the holder; the first finishes', async () => {
    const out = join(dir, 'busy');
    const first = train(out);
    // The first holds the lock from its start: wait until it is there.
    while (!existsSync(join(out, FOLDER_LOCK))) await new Promise((r) => setTimeout(r, 5));
    const second = await train(out);
    expect(second.code).not.toBe(0);
    expect(second.stderr).toMatch(new RegExp(`run folder ${out} is in use by process ${process.pid} on `));
    expect((await first).code).toBe(0);
    expect(existsSync(join(out, FOLDER_LOCK))).toBe(false);
  });

  it('corrupt refuses an output folder another writer holds, and writes nothing into it', async () => {
    const out = join(dir, 'corrupted');
    mkdirSync(out);
    writeFileSync(join(out, FOLDER_LOCK), JSON.stringify({ host: 'elsewhere', pid: 1, since: '2026-01-01T00:00:00.000Z' }));
    const r = await cli(['corrupt', '-i', 'data/cifar10-mini', '-o', out, '--limit', '2', '-c', 'pixelate', '-w', '0']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`output folder ${out} is in use by process 1 on elsewhere`);
    expect(readdirSync(out)).toEqual([FOLDER_LOCK]);
  });
});
