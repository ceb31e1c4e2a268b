import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pack } from 'msgpackr';
import { readMsgpack, writeFileAtomic, writeJsonAtomic, writeMsgpackAtomic } from '../../src/data/atomic.ts';
import { tmpDir } from './tmpDir.ts';

const root = tmpDir('atomic');
let n = 0;
/** A fresh, empty folder per test so leftover temp files are easy to spot. */
const folder = (): string => {
  const dir = join(root, String(n++));
  mkdirSync(dir);
  return dir;
};

describe('writeFileAtomic', () => {
  test('creates a file from a string, bytes or chunks, leaving no temp file', async () => {
    const dir = folder();
    await writeFileAtomic(join(dir, 'a.txt'), 'héllo');
    await writeFileAtomic(join(dir, 'b.bin'), new Uint8Array([1, 2, 3]));
    await writeFileAtomic(join(dir, 'c.txt'), ['one ', new TextEncoder().encode('two '), 'three']);
    async function* lazily(): AsyncGenerator<string> {
      yield 'x';
      yield 'y';
    }
    await writeFileAtomic(join(dir, 'd.txt'), lazily());
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('héllo');
    expect([...readFileSync(join(dir, 'b.bin'))]).toEqual([1, 2, 3]);
    expect(readFileSync(join(dir, 'c.txt'), 'utf8')).toBe('one two three');
    expect(readFileSync(join(dir, 'd.txt'), 'utf8')).toBe('xy');
    expect(readdirSync(dir).sort()).toEqual(['a.txt', 'b.bin', 'c.txt', 'd.txt']);
  });

  test('replaces an existing file', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'f'), 'old');
    await writeFileAtomic(join(dir, 'f'), 'new');
    expect(readFileSync(join(dir, 'f'), 'utf8')).toBe('new');
    expect(readdirSync(dir)).toEqual(['f']);
  });

  test('a producer that fails mid-way leaves the old file intact and removes the temp file', async () => {
    const dir = folder();
    const path = join(dir, 'results.json');
    writeFileSync(path, 'old content');
    const boom = new Error('producer failed');
    let tmpSeen: string[] = [];
    function* chunks(): Generator<string> {
      yield 'partial new content';
      // By now the first chunk sits in the temp file beside the target.
      tmpSeen = readdirSync(dir).filter((f) => f.endsWith('.tmp'));
      throw boom;
    }
    const err = await writeFileAtomic(path, chunks()).then(() => undefined, (e: unknown) => e as Error);
    if (err === undefined) throw new Error('writeFileAtomic should have failed');
    expect(err.message).toBe(`writeFileAtomic ${path}: producer failed; any existing file was left untouched`);
    expect(err.cause).toBe(boom);
    expect(tmpSeen).toHaveLength(1);
    expect(tmpSeen[0]).toMatch(new RegExp(`^results\\.json\\.${process.pid}\\.[0-9a-f]{12}\\.tmp$`));
    expect(readFileSync(path, 'utf8')).toBe('old content');
    expect(readdirSync(dir)).toEqual(['results.json']);
  });

  test('a rename that fails (target is a non-empty folder) removes the temp file', async () => {
    const dir = folder();
    const path = join(dir, 'taken');
    mkdirSync(path);
    writeFileSync(join(path, 'keep'), 'k');
    await expect(writeFileAtomic(path, 'data')).rejects.toThrow(`writeFileAtomic ${path}: `);
    expect(readdirSync(dir)).toEqual(['taken']);
    expect(readFileSync(join(path, 'keep'), 'utf8')).toBe('k');
  });

  test('a missing parent folder is an error naming the path', async () => {
    const path = join(folder(), 'no', 'such', 'file.txt');
    await expect(writeFileAtomic(path, 'x')).rejects.toThrow(new RegExp(`^writeFileAtomic ${path}: ENOENT`));
  });
});

describe('writeJsonAtomic', () => {
  test('writes indented JSON with a trailing newline', async () => {
    const path = join(folder(), 'r.json');
    await writeJsonAtomic(path, { a: [1, 2] }, 0);
    expect(readFileSync(path, 'utf8')).toBe('{"a":[1,2]}\n');
    await writeJsonAtomic(path, { a: 1 });
    expect(readFileSync(path, 'utf8')).toBe('{\n  "a": 1\n}\n');
  });

  test('a value with no JSON form is a TypeError and writes nothing', async () => {
    const dir = folder();
    await expect(writeJsonAtomic(join(dir, 'u.json'), undefined)).rejects.toThrow(
      new TypeError(`writeJsonAtomic ${join(dir, 'u.json')}: value of type undefined has no JSON form`),
    );
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('writeMsgpackAtomic / readMsgpack', () => {
  test('round-trips plain values', async () => {
    const path = join(folder(), 'state.msgpack');
    const value = { epoch: 3, name: 'x', losses: [0.5, -2], nested: { ok: true, none: null } };
    await writeMsgpackAtomic(path, value);
    expect(await readMsgpack(path)).toEqual(value);
  });

  test('typed arrays come back as the same typed arrays (checked in a plain node process)', () => {
    // In a plain process, as production runs it: msgpackr's `instanceof TypedArray` depends on
    // which realm made the array, and a jest sandbox has two.
    const path = join(folder(), 'typed.msgpack');
    const atomic = new URL('../../src/data/atomic.ts', import.meta.url).href;
    const script = `
      const { writeMsgpackAtomic, readMsgpack } = await import(${JSON.stringify(atomic)});
      await writeMsgpackAtomic(${JSON.stringify(path)}, { w: new Float32Array([0.5, -2]), ids: new Int32Array([7, 8]) });
      const v = await readMsgpack(${JSON.stringify(path)});
      const show = (a) => [Object.prototype.toString.call(a), ...a];
      console.log(JSON.stringify([show(v.w), show(v.ids)]));`;
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual([['[object Float32Array]', 0.5, -2], ['[object Int32Array]', 7, 8]]);
  });

  test('a truncated file is an error naming the path', async () => {
    const path = join(folder(), 'cut.msgpack');
    writeFileSync(path, pack({ long: 'x'.repeat(100) }).subarray(0, 20));
    await expect(readMsgpack(path)).rejects.toThrow(new RegExp(`^readMsgpack ${path}: not valid MessagePack \\(20 bytes\\)`));
  });
});
