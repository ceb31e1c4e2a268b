import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { detectDataset } from '../../src/data/detectDataset.ts';
import { tmpDir } from './tmpDir.ts';

const tmp = tmpDir('detect');
/** A folder holding empty files with these names: detection looks at names only. */
function folderWith(name: string, files: readonly string[]): string {
  const dir = join(tmp, name);
  mkdirSync(dir);
  for (const f of files) writeFileSync(join(dir, f), '');
  return dir;
}

describe('detectDataset', () => {
  test('the bundled cifar10-mini is CIFAR-10 binary', async () => {
    expect(await detectDataset(fileURLToPath(new URL('../../data/cifar10-mini', import.meta.url)))).toBe('cifar10-bin');
  });

  test('CIFAR-100 binary and CIFAR-C folders', async () => {
    expect(await detectDataset(folderWith('c100', ['train.bin', 'test.bin', 'fine_label_names.txt']))).toBe('cifar100-bin');
    expect(await detectDataset(folderWith('c10c', ['labels.npy', 'fog.npy', 'snow.npy']))).toBe('cifar-c');
  });

  test('an unrecognised folder names the folder, the layouts looked for and what it holds', async () => {
    const dir = folderWith('other', ['labels.npy', 'readme.md']);
    await expect(detectDataset(dir)).rejects.toThrow(
      `${dir}: not a recognised dataset folder; expected one of: CIFAR-10 binary (data_batch_<n>.bin and/or test_batch.bin); ` +
        'CIFAR-100 binary (train.bin and/or test.bin); CIFAR-10-C / CIFAR-100-C (labels.npy plus <corruption>.npy files); an image folder (<class>/<image> or <split>/<class>/<image>, png, jpg, jpeg, webp); found: ',
    );
    await expect(detectDataset(folderWith('empty', []))).rejects.toThrow(/found: no files$/);
  });

  test('a folder matching two layouts is ambiguous', async () => {
    const dir = folderWith('both', ['test_batch.bin', 'test.bin']);
    await expect(detectDataset(dir)).rejects.toThrow(`${dir}: ambiguous dataset folder, it matches cifar10-bin and cifar100-bin`);
  });

  test('a missing folder or a file instead of a folder', async () => {
    await expect(detectDataset(join(tmp, 'none'))).rejects.toThrow(`${join(tmp, 'none')}: folder does not exist (looking for CIFAR-10 binary`);
    const file = join(folderWith('f', ['x.bin']), 'x.bin');
    await expect(detectDataset(file)).rejects.toThrow(`${file}: is a file, not a folder`);
  });
});
