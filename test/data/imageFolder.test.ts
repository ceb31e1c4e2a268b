import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { detectDataset } from '../../src/data/detectDataset.ts';
import { readImageFolder } from '../../src/data/imageFolder.ts';
import { tmpDir } from './tmpDir.ts';

const root = tmpDir('image-folder');
const cache = join(root, 'cache');

/** Deterministic RGB pixels, distinct per seed. */
function pixels(width: number, height: number, seed: number, channels = 3): Buffer {
  const b = Buffer.alloc(width * height * channels);
  for (let i = 0; i < b.length; i++) b[i] = (i * 7 + seed * 31) % 256;
  return b;
}

async function png(path: string, width: number, height: number, seed: number, channels: 1 | 3 | 4 = 3): Promise<Buffer> {
  mkdirSync(join(path, '..'), { recursive: true });
  const raw = pixels(width, height, seed, channels);
  await sharp(raw, { raw: { width, height, channels } }).png().toFile(path);
  return raw;
}

/** A tree of its own for each case, so cases cannot see each other's files. */
let n = 0;
const fresh = (): string => join(root, `t${n++}`);

describe('image folders', () => {
  it('reads <class>/<image> in ImageFolder order: classes by name, files by name; PNG exact, greyscale and alpha made RGB', async () => {
    const dir = fresh();
    const b = await png(join(dir, 'dog', 'b.png'), 8, 6, 1);
    const a = await png(join(dir, 'dog', 'a.png'), 8, 6, 2);
    const grey = await png(join(dir, 'cat', 'z.png'), 8, 6, 3, 1);
    const rgba = await png(join(dir, 'cat', 'sub', 'y.png'), 8, 6, 4, 4);
    await sharp(pixels(8, 6, 5), { raw: { width: 8, height: 6, channels: 3 } })
      .jpeg({ quality: 90 })
      .toFile(join(dir, 'cat', 'x.JPG'));
    expect(await detectDataset(dir)).toBe('image-folder');
    const ds = await readImageFolder(dir, 'train', { cacheDir: cache });
    expect(ds.classes).toEqual(['cat', 'dog']);
    // cat: x.JPG and z.png in the class folder first, then sub/y.png; dog: a.png, b.png.
    expect(ds.source.map((f) => f.slice(dir.length + 1))).toEqual(['cat/x.JPG', 'cat/z.png', 'cat/sub/y.png', 'dog/a.png', 'dog/b.png']);
    expect(Array.from(ds.labels)).toEqual([0, 0, 0, 1, 1]);
    expect(ds.shape).toEqual({ width: 8, height: 6, channels: 3 });
    const img = (i: number): Uint8Array => ds.pixels.subarray(i * 144, (i + 1) * 144);
    expect(Buffer.from(img(3))).toEqual(a);
    expect(Buffer.from(img(4))).toEqual(b);
    // Greyscale: the one value on all three channels. Alpha: dropped, not composited.
    for (let p = 0; p < 48; p++) expect([img(1)[3 * p], img(1)[3 * p + 1], img(1)[3 * p + 2]]).toEqual([grey[p], grey[p], grey[p]]);
    for (let p = 0; p < 48; p++) expect([...img(2).subarray(3 * p, 3 * p + 3)]).toEqual([...rgba.subarray(4 * p, 4 * p + 3)]);
    expect(ds.cached).toBe(false);
    expect(ds.name).toMatch(/\/train$/);
  });

  it('caches the decoded array: a second read comes from the cache, a changed file is decoded again', async () => {
    const dir = fresh();
    await png(join(dir, 'a', '1.png'), 4, 4, 1);
    await png(join(dir, 'b', '1.png'), 4, 4, 2);
    const first = await readImageFolder(dir, 'test', { cacheDir: cache });
    const again = await readImageFolder(dir, 'test', { cacheDir: cache });
    expect([first.cached, again.cached]).toEqual([false, true]);
    expect(Buffer.from(again.pixels)).toEqual(Buffer.from(first.pixels));
    expect(Array.from(again.labels)).toEqual([0, 1]);
    const changed = await png(join(dir, 'b', '1.png'), 4, 4, 9);
    utimesSync(join(dir, 'b', '1.png'), new Date(), new Date(Date.now() + 5000));
    const third = await readImageFolder(dir, 'test', { cacheDir: cache });
    expect(third.cached).toBe(false);
    expect(Buffer.from(third.pixels.subarray(48))).toEqual(changed);
    // size= is part of the key too.
    expect((await readImageFolder(dir, 'test', { cacheDir: cache, size: { height: 2, width: 2 } })).cached).toBe(false);
  });

  it('uses <split>/<class>/<image>: test falls back to val; both splits must have the same classes', async () => {
    const dir = fresh();
    await png(join(dir, 'train', 'a', '1.png'), 4, 4, 1);
    await png(join(dir, 'train', 'b', '1.png'), 4, 4, 2);
    await png(join(dir, 'val', 'a', '2.png'), 4, 4, 3);
    await png(join(dir, 'val', 'b', '2.png'), 4, 4, 4);
    const test = await readImageFolder(dir, 'test', { cacheDir: cache });
    expect(test.name).toMatch(/\/val$/);
    expect(test.source.map((f) => f.slice(dir.length + 1))).toEqual(['val/a/2.png', 'val/b/2.png']);
    await png(join(dir, 'val', 'c', '3.png'), 4, 4, 5);
    await expect(readImageFolder(dir, 'train', { cacheDir: cache })).rejects.toThrow(/the splits train and val have different classes; only in val: c/);
  });

  it('resizes the shorter side and centre-crops with size=, and refuses mixed sizes without it, naming the file', async () => {
    const dir = fresh();
    await png(join(dir, 'a', '1.png'), 40, 20, 1);
    await png(join(dir, 'a', '2.png'), 16, 16, 2);
    await expect(readImageFolder(dir, 'train', { cacheDir: cache })).rejects.toThrow(/a\/2\.png: 16x16 pixels \(height x width\), but .*a\/1\.png is 20x40; give size=H or size=HxW/);
    const ds = await readImageFolder(dir, 'train', { cacheDir: cache, size: { height: 8, width: 8 } });
    expect(ds.shape).toEqual({ width: 8, height: 8, channels: 3 });
    expect(ds.pixels.length).toBe(2 * 8 * 8 * 3);
    const wide = await readImageFolder(dir, 'train', { cacheDir: cache, size: { height: 8, width: 12 } });
    expect(wide.shape).toEqual({ width: 12, height: 8, channels: 3 });
  });

  it('names an unreadable image; skipBad=true skips it and says which', async () => {
    const dir = fresh();
    await png(join(dir, 'a', '1.png'), 4, 4, 1);
    mkdirSync(join(dir, 'b'), { recursive: true });
    writeFileSync(join(dir, 'b', 'broken.png'), 'not a png');
    await png(join(dir, 'b', 'ok.png'), 4, 4, 2);
    await expect(readImageFolder(dir, 'train', { cacheDir: cache })).rejects.toThrow(/b\/broken\.png: not a readable image \(.*\); skipBad=true skips such files/);
    const ds = await readImageFolder(dir, 'train', { cacheDir: cache, skipBad: true });
    expect(ds.skipped).toEqual(['b/broken.png']);
    expect(ds.count).toBe(2);
    expect(Array.from(ds.labels)).toEqual([0, 1]);
    expect((await readImageFolder(dir, 'train', { cacheDir: cache, skipBad: true })).skipped).toEqual(['b/broken.png']);
  });

  it('refuses an empty class folder and a folder with no images', async () => {
    const dir = fresh();
    await png(join(dir, 'a', '1.png'), 4, 4, 1);
    mkdirSync(join(dir, 'empty'));
    await expect(readImageFolder(dir, 'train', { cacheDir: cache })).rejects.toThrow(/empty: class folder with no images/);
    const none = fresh();
    mkdirSync(join(none, 'a'), { recursive: true });
    writeFileSync(join(none, 'a', 'notes.txt'), 'x');
    await expect(detectDataset(none)).rejects.toThrow(/not a recognised dataset folder; expected one of: .*an image folder/);
  });
});
