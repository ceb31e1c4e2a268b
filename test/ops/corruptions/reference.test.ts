import { fileURLToPath } from 'node:url';
import { openCifarC, readCorruption } from '../../../src/data/cifarC.ts';
import type { Severity } from '../../../src/ops/corruptions/corruption.ts';
import { corruptAll, testImages } from './helpers.ts';

// Made by the original's formulas through Debian's Python packages on the first 2 test images:
//   /usr/bin/python3 bench/cifar_c_reference.py --input data/cifar10-mini --count 2 --seed 0 \
//     --output test/fixtures/cifar-c --corruptions <the deterministic ones>
const FIXTURES = fileURLToPath(new URL('../../fixtures/cifar-c', import.meta.url));

describe('deterministic corruptions equal the original bit for bit', () => {
  it.each(['brightness', 'contrast', 'saturate', 'pixelate', 'jpeg_compression', 'gaussian_blur', 'defocus_blur', 'zoom_blur'])('%s', async (name) => {
    const handle = await openCifarC(FIXTURES);
    const clean = await testImages(2);
    for (let s = 1; s <= 5; s++) {
      const want = (await readCorruption(handle, name, s)).pixels;
      const got = await corruptAll(clean, name, s as Severity);
      let diff = 0;
      for (let i = 0; i < got.length; i++) if (got[i] !== want[i]) diff++;
      expect({ severity: s, differing: diff }).toEqual({ severity: s, differing: 0 });
    }
  });
});
