import { mkdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CIFAR_C_CORRUPTIONS } from '../../src/ops/corruptions/names.ts';
import { openCifarC, readCorruption } from '../../src/data/cifarC.ts';
import { writeNpy } from '../../src/data/npy.ts';
import { tmpDir } from './tmpDir.ts';

const N = 4;
const [H, W] = [6, 8]; // not square, so a swapped height/width would show
const IMAGE = H * W * 3;
const tmp = tmpDir('cifarc');
let n = 0;

/** Image `i` of corruption `k`: every byte distinct per (k, i, position) modulo 256. */
const pixelsFor = (k: number, images: number, h = H, w = W, c = 3): Uint8Array =>
  Uint8Array.from({ length: images * h * w * c }, (_, j) => (k * 101 + Math.floor(j / (h * w * c)) * 37 + j) & 255);
const labelsFor = (count: number): BigInt64Array => BigInt64Array.from({ length: count }, (_, i) => BigInt((i * 3) % 10));

/** A CIFAR-C folder: int64 labels.npy (5N) and uint8 (5N, H, W, 3) files for `names`. */
async function cifarCFolder(names: readonly string[] = ['fog', 'gaussian_noise', 'my_custom']): Promise<string> {
  const dir = join(tmp, String(n++));
  mkdirSync(dir);
  await writeNpy(join(dir, 'labels.npy'), labelsFor(5 * N), [5 * N]);
  for (const [k, name] of names.entries()) await writeNpy(join(dir, `${name}.npy`), pixelsFor(k, 5 * N), [5 * N, H, W, 3]);
  return dir;
}

describe('openCifarC', () => {
  test('lists corruptions in the standard order, the missing standard ones, N, shape and labels', async () => {
    const dir = await cifarCFolder();
    const h = await openCifarC(dir);
    expect(h.corruptions).toEqual(['gaussian_noise', 'fog', 'my_custom']);
    expect(h.missing).toEqual(CIFAR_C_CORRUPTIONS.filter((c) => c !== 'gaussian_noise' && c !== 'fog'));
    expect([h.perSeverity, h.shape]).toEqual([N, { width: W, height: H, channels: 3 }]);
    expect(Array.from(h.labels)).toEqual(Array.from(labelsFor(5 * N), Number));
    expect(h.labels.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(h.classes).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  });

  test('uint8 labels and explicit class names are accepted; a label beyond them is not', async () => {
    const dir = await cifarCFolder(['snow']);
    await writeNpy(join(dir, 'labels.npy'), Uint8Array.from({ length: 5 * N }, (_, i) => i % 3), [5 * N]);
    expect((await openCifarC(dir, { classes: ['a', 'b', 'c'] })).classes).toEqual(['a', 'b', 'c']);
    await expect(openCifarC(dir, { classes: ['a', 'b'] })).rejects.toThrow(`${join(dir, 'labels.npy')}: label 2 is 2, expected 0..1`);
  });
});

describe('readCorruption', () => {
  test('one severity is images [(s-1)N, sN) with their labels', async () => {
    const h = await openCifarC(await cifarCFolder());
    for (const s of [1, 3, 5]) {
      const ds = await readCorruption(h, 'fog', s);
      expect([ds.count, ds.shape, ds.source]).toEqual([N, h.shape, [join(h.dir, 'fog.npy')]]);
      expect(ds.name).toMatch(new RegExp(`/fog/s${s}$`));
      expect(ds.pixels).toEqual(pixelsFor(0, 5 * N).subarray((s - 1) * N * IMAGE, s * N * IMAGE));
      expect(Array.from(ds.labels)).toEqual(Array.from(h.labels.subarray((s - 1) * N, s * N)));
      expect(ds.pixels.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(ds.labels.buffer).toBeInstanceOf(SharedArrayBuffer);
    }
  });

  test('no severity gives all five blocks, severity-major', async () => {
    const h = await openCifarC(await cifarCFolder());
    const ds = await readCorruption(h, 'my_custom');
    expect(ds.count).toBe(5 * N);
    expect(ds.pixels).toEqual(pixelsFor(2, 5 * N));
    expect(ds.name).toMatch(/\/my_custom$/);
  });

  test('reads only the requested block: still works after the file loses its later blocks', async () => {
    const h = await openCifarC(await cifarCFolder());
    const { path, dataOffset } = h.files.get('gaussian_noise')!;
    truncateSync(path, dataOffset + 2 * N * IMAGE);
    expect((await readCorruption(h, 'gaussian_noise', 2)).pixels).toEqual(pixelsFor(1, 5 * N).subarray(N * IMAGE, 2 * N * IMAGE));
    await expect(readCorruption(h, 'gaussian_noise', 5)).rejects.toThrow(
      `${path}: file shrank since openCifarC: images [16, 20) need ${N * IMAGE} bytes from offset ${dataOffset + 16 * IMAGE}, got 0`,
    );
  });

  test('unknown corruption names the folder and what is available; bad severities are RangeErrors', async () => {
    const h = await openCifarC(await cifarCFolder());
    await expect(readCorruption(h, 'frost', 1)).rejects.toThrow(`${h.dir}: no corruption 'frost'; available: gaussian_noise, fog, my_custom`);
    for (const s of [0, 6, 2.5]) {
      await expect(readCorruption(h, 'fog', s)).rejects.toThrow(
        new RangeError(`readCorruption fog: severity must be an integer 1..5 (or omitted for all), got ${s}`),
      );
    }
  });
});

describe('folders that are not CIFAR-C shaped', () => {
  test('no labels.npy', async () => {
    const dir = await cifarCFolder(['fog']);
    rmSync(join(dir, 'labels.npy'));
    await expect(openCifarC(dir)).rejects.toThrow(`${dir}: not a CIFAR-C folder: no labels.npy (found 1 .npy files: fog.npy)`);
  });

  test('no corruption files', async () => {
    const dir = await cifarCFolder([]);
    await expect(openCifarC(dir)).rejects.toThrow(`${dir}: not a CIFAR-C folder: labels.npy but no <corruption>.npy files (e.g. gaussian_noise.npy)`);
  });

  test('missing folder', async () => {
    await expect(openCifarC(join(tmp, 'absent'))).rejects.toThrow(`${join(tmp, 'absent')}: folder does not exist (looking for CIFAR-C files`);
  });

  test('a corruption with a different image count from labels.npy', async () => {
    const dir = await cifarCFolder(['fog']);
    await writeNpy(join(dir, 'snow.npy'), pixelsFor(0, 15), [15, H, W, 3]);
    await expect(openCifarC(dir)).rejects.toThrow(`${join(dir, 'snow.npy')}: has 15 images, expected 20 (5 severities x 4) to match labels.npy`);
  });

  test('labels not a multiple of 5, or not 1-D, or float', async () => {
    const dir = await cifarCFolder(['fog']);
    const labels = join(dir, 'labels.npy');
    await writeNpy(labels, new Uint8Array(18), [18]);
    await expect(openCifarC(dir)).rejects.toThrow(`${labels}: expected shape (5N,) with N >= 1 (5 severities of N images), got (18,)`);
    await writeNpy(labels, new Uint8Array(20), [4, 5]);
    await expect(openCifarC(dir)).rejects.toThrow(`${labels}: expected shape (5N,) with N >= 1 (5 severities of N images), got (4, 5)`);
    await writeNpy(labels, new Float32Array(20), [20]);
    await expect(openCifarC(dir)).rejects.toThrow(`${labels}: expected integer labels (uint8 or int64), got dtype <f4`);
  });

  test('wrong dtype, rank or channel count', async () => {
    const dir = await cifarCFolder(['fog']);
    const fog = join(dir, 'fog.npy');
    await writeNpy(fog, new Float32Array(5 * N * IMAGE), [5 * N, H, W, 3]);
    await expect(openCifarC(dir)).rejects.toThrow(`${fog}: expected dtype uint8 (|u1), got <f4`);
    await writeNpy(fog, new Uint8Array(5 * N * H * W), [5 * N, H, W]);
    await expect(openCifarC(dir)).rejects.toThrow(`${fog}: expected shape (20, H, W, 3), got (20, 6, 8)`);
    await writeNpy(fog, new Uint8Array(5 * N * H * W * 4), [5 * N, H, W, 4]);
    await expect(openCifarC(dir)).rejects.toThrow(`${fog}: expected shape (20, H, W, 3), got (20, 6, 8, 4)`);
  });

  test('image sizes that differ between files', async () => {
    const dir = await cifarCFolder(['fog']);
    await writeNpy(join(dir, 'snow.npy'), pixelsFor(0, 5 * N, 8, 8), [5 * N, 8, 8, 3]);
    // snow is checked first: files are visited in the standard order.
    await expect(openCifarC(dir)).rejects.toThrow(`${join(dir, 'fog.npy')}: images are 6x8 (height x width), expected 8x8 like ${join(dir, 'snow.npy')}`);
  });

  test('a truncated corruption file: expected and actual sizes', async () => {
    const dir = await cifarCFolder(['fog']);
    const fog = join(dir, 'fog.npy');
    truncateSync(fog, 128 + 5 * N * IMAGE - 1);
    await expect(openCifarC(dir)).rejects.toThrow(
      `${fog}: header shape (20, 6, 8, 3) needs 128 + 2880 = 3008 bytes, actual 3007 bytes`,
    );
  });

  test('a corruption file that is not .npy at all', async () => {
    const dir = await cifarCFolder(['fog']);
    writeFileSync(join(dir, 'fog.npy'), 'not numpy');
    await expect(openCifarC(dir)).rejects.toThrow(`${join(dir, 'fog.npy')}: 9 bytes is too short for a .npy file`);
  });
});
