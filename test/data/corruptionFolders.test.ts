import { readFileSync, renameSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lastValueFrom } from 'rxjs';
import { openCifarC, readCorruption } from '../../src/data/cifarC.ts';
import { corruptedImagePaths } from '../../src/data/corruptionFolders.ts';
import { corruptEvents, planCorrupt } from '../../src/jobs/corrupt.ts';
import { packageRoot } from '../../src/packageFiles.ts';
import { tmpDir } from './tmpDir.ts';

// Two 64x64 PNGs in classes a and b (made by test/fixtures/make_corruption_size_fixtures.py).
const TINY = fileURLToPath(new URL('../fixtures/corrupt-sizes/tiny', import.meta.url));
const dir = tmpDir('corruption-folders');

async function corrupt(out: string, extra: { lossless?: boolean; format?: 'npy' | 'folders' }): Promise<void> {
  const plan = await planCorrupt({ input: TINY, output: out, split: 'test', corruptions: ['contrast', 'glass_blur'], seed: 1, workers: 0, format: 'folders', ...extra }, packageRoot);
  await lastValueFrom(corruptEvents(plan), { defaultValue: null });
}

describe("the ImageNet-C layout (<corruption>/<severity>/<class>/<image>)", () => {
  it('is written under the input names and read back, losslessly, as the .npy layout holds the same images', async () => {
    const folders = join(dir, 'png');
    const npy = join(dir, 'npy');
    await corrupt(folders, { lossless: true });
    await corrupt(npy, { format: 'npy' });
    expect(readdirSync(folders).sort()).toEqual(['contrast', 'corrupt.json', 'glass_blur']);
    expect(readdirSync(join(folders, 'contrast')).sort()).toEqual(['1', '2', '3', '4', '5']);
    expect(readdirSync(join(folders, 'contrast', '3', 'b'))).toEqual(['0.png']);
    expect(JSON.parse(readFileSync(join(folders, 'corrupt.json'), 'utf8'))).toMatchObject({ format: 'folders', preset: 'tiny-imagenet', classes: ['a', 'b'] });

    const a = await openCifarC(folders);
    const b = await openCifarC(npy);
    expect(a.layout).toBe('folders');
    expect(b.layout).toBe('npy');
    expect(a.corruptions).toEqual(['glass_blur', 'contrast']);
    expect(a.classes).toEqual(['a', 'b']);
    expect([...a.labels]).toEqual([...b.labels]);
    expect(a.shape).toEqual({ height: 64, width: 64, channels: 3 });
    for (const c of ['contrast', 'glass_blur']) {
      for (const s of [1, 5]) {
        const x = await readCorruption(a, c, s);
        const y = await readCorruption(b, c, s);
        expect({ c, s, same: Buffer.compare(Buffer.from(x.pixels), Buffer.from(y.pixels)) === 0 }).toEqual({ c, s, same: true });
      }
    }
  });

  it('keeps JPEG at quality 85 for .jpg names, as the original saves them', async () => {
    const out = join(dir, 'jpg');
    const plan = await planCorrupt(
      { input: 'data/cifar10-mini', output: out, split: 'test', corruptions: ['contrast'], seed: 1, workers: 0, limit: 3, format: 'folders' },
      packageRoot,
    );
    expect(plan.imagePaths).toEqual(['cat/0.jpg', 'ship/1.jpg', 'ship/2.jpg']);
    await lastValueFrom(corruptEvents(plan), { defaultValue: null });
    const file = readFileSync(join(out, 'contrast', '1', 'cat', '0.jpg'));
    expect([...file.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    const back = await readCorruption(await openCifarC(out), 'contrast', 1);
    // Class indices as in the dataset (cat 3, ship 8), though 8 of the 10 classes have no image here.
    expect([...back.labels]).toEqual([...plan.dataset.labels]);
    expect(back.classes).toEqual(plan.dataset.classes);
    const npy = join(dir, 'jpg-npy');
    await lastValueFrom(corruptEvents({ ...plan, output: npy, imagePaths: null }), { defaultValue: null });
    const exact = await readCorruption(await openCifarC(npy), 'contrast', 1);
    let diff = 0;
    for (let i = 0; i < back.pixels.length; i++) diff += Math.abs(back.pixels[i]! - exact.pixels[i]!);
    // Lossy, but close: quality 85 moves a value by a few levels on average.
    expect(diff / back.pixels.length).toBeGreaterThan(0);
    expect(diff / back.pixels.length).toBeLessThan(6);
  });

  it('replaces a corruption folder whole on a rerun, keeping no image of the run before', async () => {
    const out = join(dir, 'rerun');
    const run = async (limit: number): Promise<void> => {
      const plan = await planCorrupt(
        { input: 'data/cifar10-mini', output: out, split: 'test', corruptions: ['contrast'], seed: 1, workers: 0, limit, format: 'folders', lossless: true },
        packageRoot,
      );
      await lastValueFrom(corruptEvents(plan), { defaultValue: null });
    };
    await run(4);
    await run(2);
    const files = (s: number): string[] => readdirSync(join(out, 'contrast', String(s)), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name);
    expect(files(1).sort()).toEqual(['0.png', '1.png']);
    expect(readdirSync(out).filter((f) => f.includes('partial'))).toEqual([]);
    expect((await openCifarC(out)).perSeverity).toBe(2);
  });

  it('names the two inputs that --lossless would write to one file', () => {
    const ds = { name: 'x', count: 2, shape: { height: 1, width: 1, channels: 3 }, pixels: new Uint8Array(6), labels: Int32Array.of(0, 0), classes: ['c'], source: ['/d/c/a.jpg', '/d/c/a.png'] };
    expect(corruptedImagePaths(ds, '/d', false)).toEqual(['c/a.jpg', 'c/a.png']);
    expect(() => corruptedImagePaths(ds, '/d', true)).toThrow('/d/c/a.jpg and /d/c/a.png would both be written as c/a.png');
  });

  it('refuses a severity that holds other files, naming the folder', async () => {
    const folders = join(dir, 'png');
    renameSync(join(folders, 'glass_blur', '4', 'b', '0.png'), join(folders, 'glass_blur', '4', 'b', '9.png'));
    await expect(openCifarC(folders)).rejects.toThrow(`${join(folders, 'glass_blur', '4')}: holds 2 images (b/9.png where ${join(folders, 'glass_blur', '1')} has b/0.png)`);
  });
});
