import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCifarC, readCorruption } from '../../src/data/cifarC.ts';
import { readNpy } from '../../src/data/npy.ts';
import { testImages } from '../ops/corruptions/helpers.ts';
import { cli } from '../cli/io.ts';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'fa-corrupt-'));

describe('fourier-augmix corrupt', () => {
  it('writes the CIFAR-10-C layout that openCifarC reads', async () => {
    const out = tmp();
    const r = await cli(['corrupt', '-i', 'data/cifar10-mini', '-o', out, '--limit', '7', '-c', 'pixelate,gaussian_noise', '-w', '0']);
    expect(r.stderr).not.toContain('error');
    expect(r.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['corrupt.json', 'gaussian_noise.npy', 'labels.npy', 'pixelate.npy']);
    const labels = await readNpy(join(out, 'labels.npy'));
    expect(labels.dtype).toBe('|u1');
    expect(labels.shape).toEqual([35]);
    const clean = await testImages(7);
    for (let s = 0; s < 5; s++) expect([...labels.data.subarray(7 * s, 7 * s + 7)]).toEqual([...clean.labels]);
    const px = await readNpy(join(out, 'pixelate.npy'));
    expect(px.dtype).toBe('|u1');
    expect(px.shape).toEqual([35, 32, 32, 3]);
    const handle = await openCifarC(out);
    expect(handle.corruptions).toEqual(['gaussian_noise', 'pixelate']);
    expect(handle.perSeverity).toBe(7);
    const s3 = await readCorruption(handle, 'gaussian_noise', 3);
    expect(s3.count).toBe(7);
    expect(r.stderr).toMatch(/corrupt: 70\/70 images/);
  });

  it('lists all 19 corruptions, none missing', async () => {
    const r = await cli(['corrupt', '--list']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ {2}gaussian_noise +/m);
    expect(r.stdout.match(/^ {2}[a-z_]+ +[ *] /gm)).toHaveLength(19);
    expect(r.stdout).not.toMatch(/not implemented/);
  });

  it.each([
    [['corrupt', '-o', '/tmp/x'], 'error: corrupt: missing --input <dir> (the clean dataset, e.g. data/cifar10-mini)\n'],
    [['corrupt', '-i', 'data/cifar10-mini'], 'error: corrupt: missing --output <dir> (where the .npy files go)\n'],
    [
      ['corrupt', '-i', 'data/cifar10-mini', '-o', '/tmp/x', '-c', 'fuzz'],
      /^error: corrupt: unknown corruption 'fuzz'; implemented: gaussian_noise, shot_noise, /,
    ],
    [
      ['corrupt', '-i', 'data/cifar10-mini', '-o', '/tmp/x', '-c', 'pixelat'],
      /^error: corrupt: unknown corruption 'pixelat' \(did you mean pixelate\?\); implemented: /,
    ],
    [['corrupt', '-i', 'data/cifar10-mini', '-o', '/tmp/x', '-w', 'two'], 'error: corrupt: --workers two is invalid: expected an integer in [0, 256]\n'],
    [['corrupt', '-i', 'no/such/dir', '-o', '/tmp/x'], /^error: corrupt: --input .*no\/such\/dir: folder does not exist/],
    [['corrupt', '-i', 'data/cifar10-mini', '-o', '/tmp/x', '--seed', '-3'], 'error: corrupt: --seed -3 is invalid: expected an integer >= 0\n'],
    [['corrupt', '-i', 'data/cifar10-mini', '-o', '/tmp/x', '--split', 'val'], 'error: corrupt: --split val is invalid: expected one of test, train\n'],
  ])('%j fails with a usage error', async (argv, message) => {
    const r = await cli(argv as string[]);
    expect(r.code).toBe(2);
    if (typeof message === 'string') expect(r.stderr).toBe(message);
    else expect(r.stderr).toMatch(message);
  });

  it('refuses a CIFAR-C folder as input', async () => {
    const r = await cli(['corrupt', '-i', 'test/fixtures/cifar-c', '-o', '/tmp/x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is already a CIFAR-C folder; give the clean dataset/);
  });
});
