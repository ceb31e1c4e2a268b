import { copyFileSync, mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCifar10, readCifar100 } from '../../src/data/cifar.ts';
import { cifarRecords, syntheticImages } from './cifarRecords.ts';
import { tmpDir } from './tmpDir.ts';

const MINI = fileURLToPath(new URL('../../data/cifar10-mini', import.meta.url));
const tmp = tmpDir('cifar');
let n = 0;
const folder = (): string => {
  const dir = join(tmp, String(n++));
  mkdirSync(dir);
  return dir;
};
const names = (count: number, prefix: string): string => Array.from({ length: count }, (_, i) => `${prefix}${i}`).join('\n') + '\n\n';

describe('readCifar10 on the bundled cifar10-mini', () => {
  test('train: 5,085 images from data_batch_1..5 in order, shared NHWC, labels 0..9', async () => {
    const ds = await readCifar10(MINI, 'train');
    expect(ds.name).toBe('cifar10-mini/train');
    expect(ds.count).toBe(5085);
    expect(ds.shape).toEqual({ width: 32, height: 32, channels: 3 });
    expect(ds.pixels.length).toBe(5085 * 3072);
    expect(ds.pixels.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(ds.labels.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(ds.source).toEqual([1, 2, 3, 4, 5].map((b) => join(MINI, `data_batch_${b}.bin`)));
    expect(ds.classes).toEqual(['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']);
    expect(new Set(ds.labels)).toEqual(new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
  });

  test('HWC conversion: pixels and labels match the raw CHW records', async () => {
    const ds = await readCifar10(MINI, 'train');
    const raw = readFileSync(join(MINI, 'data_batch_2.bin'));
    for (const [r, x, y] of [[0, 0, 0], [5, 7, 11], [1016, 31, 31], [300, 31, 0]] as const) {
      const image = 1017 + r;
      expect(ds.labels[image]).toBe(raw[r * 3073]);
      for (let c = 0; c < 3; c++) {
        expect(ds.pixels[image * 3072 + (y * 32 + x) * 3 + c]).toBe(raw[r * 3073 + 1 + c * 1024 + y * 32 + x]);
      }
    }
  });

  test('test: 1,017 images from test_batch.bin', async () => {
    const ds = await readCifar10(MINI, 'test');
    expect([ds.name, ds.count, ds.source]).toEqual(['cifar10-mini/test', 1017, [join(MINI, 'test_batch.bin')]]);
    expect(Math.max(...ds.labels)).toBe(9);
    expect(Math.min(...ds.labels)).toBe(0);
  });
});

describe('readCifar10 errors and ordering', () => {
  test('a truncated batch: names the file, the record size, the whole-record sizes and the actual size', async () => {
    const dir = folder();
    for (const f of ['batches.meta.txt', 'data_batch_1.bin', 'data_batch_2.bin']) copyFileSync(join(MINI, f), join(dir, f));
    truncateSync(join(dir, 'data_batch_2.bin'), 3125241 - 100);
    await expect(readCifar10(dir, 'train')).rejects.toThrow(
      `${join(dir, 'data_batch_2.bin')}: size is not a whole number of 3073-byte records (1 label byte(s) + 3072 pixel bytes): ` +
        'expected 3122168 (1016 records) or 3125241 (1017 records) bytes, actual 3125141 bytes; the file is truncated or not in this format',
    );
  });

  test('an empty batch file is rejected too', async () => {
    const dir = folder();
    copyFileSync(join(MINI, 'batches.meta.txt'), join(dir, 'batches.meta.txt'));
    writeFileSync(join(dir, 'test_batch.bin'), '');
    await expect(readCifar10(dir, 'test')).rejects.toThrow(/test_batch\.bin: size is not .*expected 3073 \(1 record\) bytes, actual 0 bytes/);
  });

  test('a missing folder names the path and what was looked for', async () => {
    const dir = join(tmp, 'nowhere');
    await expect(readCifar10(dir, 'train')).rejects.toThrow(`${dir}: folder does not exist (looking for CIFAR-10 binary train files (data_batch_<n>.bin))`);
  });

  test('a folder without the batches names what was looked for', async () => {
    const dir = folder();
    copyFileSync(join(MINI, 'test_batch.bin'), join(dir, 'test_batch.bin'));
    await expect(readCifar10(dir, 'train')).rejects.toThrow(`${dir}: no CIFAR-10 train files found (looked for data_batch_<n>.bin)`);
  });

  test('a missing or short batches.meta.txt is named', async () => {
    const dir = folder();
    copyFileSync(join(MINI, 'test_batch.bin'), join(dir, 'test_batch.bin'));
    await expect(readCifar10(dir, 'test')).rejects.toThrow(`${join(dir, 'batches.meta.txt')}: cannot read class names file (10 names, one a line): ENOENT`);
    writeFileSync(join(dir, 'batches.meta.txt'), 'cat\ndog\n');
    await expect(readCifar10(dir, 'test')).rejects.toThrow(`${join(dir, 'batches.meta.txt')}: expected 10 class names (one a line), found 2`);
  });

  test('batches are ordered numerically (data_batch_10 after data_batch_2) and labels beyond 9 are errors', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'batches.meta.txt'), names(10, 'c'));
    for (const b of [1, 2, 10]) writeFileSync(join(dir, `data_batch_${b}.bin`), cifarRecords(syntheticImages(1, () => [b % 10], b)));
    const ds = await readCifar10(dir, 'train');
    expect(Array.from(ds.labels)).toEqual([1, 2, 0]);
    expect(ds.source.map((s) => s.slice(dir.length + 1))).toEqual(['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_10.bin']);
    writeFileSync(join(dir, 'data_batch_2.bin'), cifarRecords(syntheticImages(2, (i) => [i === 1 ? 12 : 0])));
    await expect(readCifar10(dir, 'train')).rejects.toThrow(`${join(dir, 'data_batch_2.bin')}: record 1 has label 12, expected 0..9`);
  });
});

describe('readCifar100 on a synthetic folder', () => {
  const images = syntheticImages(5, (i) => [i * 4, i * 20 + 3]);
  const dir = folder();
  writeFileSync(join(dir, 'train.bin'), cifarRecords(images));
  writeFileSync(join(dir, 'fine_label_names.txt'), names(100, 'fine'));
  writeFileSync(join(dir, 'coarse_label_names.txt'), names(20, 'coarse'));

  test('fine labels (default) and pixels round-trip CHW records to HWC', async () => {
    const ds = await readCifar100(dir, 'train');
    expect([ds.count, ds.classes.length, ds.classes[99]]).toEqual([5, 100, 'fine99']);
    expect(Array.from(ds.labels)).toEqual([3, 23, 43, 63, 83]);
    images.forEach((img, i) => expect(ds.pixels.subarray(i * 3072, (i + 1) * 3072)).toEqual(img.hwc));
    expect(ds.pixels.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  test('coarse labels', async () => {
    const ds = await readCifar100(dir, 'train', { labels: 'coarse' });
    expect(Array.from(ds.labels)).toEqual([0, 4, 8, 12, 16]);
    expect([ds.classes.length, ds.name.endsWith('/train (coarse)')]).toEqual([20, true]);
  });

  test('a missing split file and a truncated one are named', async () => {
    await expect(readCifar100(dir, 'test')).rejects.toThrow(`${dir}: no CIFAR-100 test file found (looked for test.bin)`);
    const cut = folder();
    for (const f of ['fine_label_names.txt']) copyFileSync(join(dir, f), join(cut, f));
    writeFileSync(join(cut, 'test.bin'), cifarRecords(images).subarray(0, 3074 * 2 + 1));
    await expect(readCifar100(cut, 'test')).rejects.toThrow(
      `${join(cut, 'test.bin')}: size is not a whole number of 3074-byte records (2 label byte(s) + 3072 pixel bytes): ` +
        'expected 6148 (2 records) or 9222 (3 records) bytes, actual 6149 bytes',
    );
  });
});
