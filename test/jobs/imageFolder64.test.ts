import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { cli } from '../cli/io.ts';
import { tmpDir } from '../data/tmpDir.ts';

// A folder of 64x64 PNGs made outside the project, through every stage that reads `data=`.
const dir = tmpDir('folder64');
const data = join(dir, 'tiles');
const json = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

beforeAll(async () => {
  const classes = ['forest', 'river', 'urban'];
  for (const [split, per] of [
    ['train', 6],
    ['val', 3],
  ] as const) {
    for (const [c, name] of classes.entries()) {
      mkdirSync(join(data, split, name), { recursive: true });
      for (let i = 0; i < per; i++) {
        const raw = Buffer.alloc(64 * 64 * 3);
        // Each class its own colour cast and stripe frequency, so a model has something to learn.
        for (let p = 0; p < 64 * 64; p++) {
          const stripe = Math.floor(p / 64 / (c + 2)) % 2;
          for (let ch = 0; ch < 3; ch++) raw[3 * p + ch] = (ch === c ? 160 : 60) + 40 * stripe + ((p * 13 + i * 7) % 23);
        }
        await sharp(raw, { raw: { width: 64, height: 64, channels: 3 } })
          .png()
          .toFile(join(data, split, name, `${i}.png`));
      }
    }
  }
});

describe('an image folder at 64x64', () => {
  it('trains, then evaluates clean and under a Fourier grid whose heatmap axes are the 64x64 spectrum', async () => {
    const run = join(dir, 'train');
    const common = [`data=${data}`, 'backend=wasm'];
    const t = await cli(['run', 'train', ...common, 'workers=0', 'depth=10', 'widen=1', 'epochs=1', 'batchSize=6', 'seeds=0', 'evalBatch=9', `out=${run}`]);
    expect(t.stderr).not.toContain('error:');
    expect(t.code).toBe(0);
    expect(t.stderr).toMatch(/tiles\/train: 18 images of 3 classes, 64x64/);
    expect(t.stderr).toMatch(/decode train images: 18\/18 images/);
    expect(t.stderr).toMatch(/decode test images: 9\/9 images/);
    // Refused after decoding (from the cache now): the finished run's config.json stays as it was.
    const config = readFileSync(join(run, 'config.json'));
    const resumed = await cli([
      'run',
      'train',
      ...common,
      'workers=0',
      'depth=10',
      'widen=1',
      'epochs=2',
      'batchSize=6',
      'seeds=0',
      'evalBatch=9',
      'resume=true',
      `out=${run}`,
    ]);
    expect(resumed.code).toBe(2);
    expect(resumed.stderr).toMatch(/\(from the cache\)/);
    expect(resumed.stderr).not.toMatch(/decode train images/);
    expect(readFileSync(join(run, 'config.json'))).toEqual(config);
    expect(json<{ seeds: { test: { count: number } }[] }>(join(run, 'summary.json')).seeds[0]!.test.count).toBe(9);

    const clean = join(dir, 'clean');
    const e = await cli(['run', 'eval-clean', ...common, `model=${join(run, 'seed-0')}`, 'runtime=tfjs', `out=${clean}`]);
    expect(e.code).toBe(0);
    const result = json<{ classes: string[]; images: number; data: string }>(join(clean, 'test-error.json'));
    expect(result).toMatchObject({ classes: ['forest', 'river', 'urban'], images: 9, data: 'tiles/val' });

    const fourier = join(dir, 'fourier');
    const f = await cli([
      'run',
      'eval-fourier',
      ...common,
      `model=${join(run, 'seed-0')}`,
      'runtime=tfjs',
      'maxK=1',
      'norms=4',
      'alignments=aligned',
      `out=${fourier}`,
    ]);
    expect(f.stderr).not.toContain('error:');
    expect(f.code).toBe(0);
    const report = json<{ fingerprint: { grid: { height: number; width: number } }; cells: unknown[] }>(join(fourier, 'fourier.json'));
    expect(report.fingerprint.grid).toMatchObject({ height: 64, width: 64 });
    expect(report.cells.length).toBeGreaterThan(0);
    expect(existsSync(join(fourier, 'heatmap-aligned-norm4.png'))).toBe(true);

    // The same model as ONNX for 64x64 inputs (the size its checkpoint says it was trained on), on onnxruntime: the same cells.
    const onnx = join(dir, 'wrn64.onnx');
    const x = await cli(['export', join(run, 'seed-0'), '--onnx', onnx]);
    expect(x.code).toBe(0);
    expect(x.stdout).toContain("input 'input' float32 [batch, 3, 64, 64]");
    const viaOnnx = join(dir, 'fourier-onnx');
    const o = await cli(['run', 'eval-fourier', `data=${data}`, `model=${onnx}`, 'maxK=1', 'norms=4', 'alignments=aligned', `out=${viaOnnx}`]);
    expect(o.code).toBe(0);
    const errors = (d: string): number[] => json<{ cells: { error: number }[] }>(join(d, 'fourier.json')).cells.map((c) => c.error);
    expect(errors(viaOnnx)).toEqual(errors(fourier));
    const at32 = await cli(['export', join(run, 'seed-0'), '--onnx', join(dir, 'wrn32.onnx'), '--size', '32']);
    expect(at32.code).toBe(0);
    const refused = await cli(['run', 'eval-fourier', `data=${data}`, `model=${join(dir, 'wrn32.onnx')}`, 'maxK=1', `out=${join(dir, 'no')}`]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("height 32, the data's images need [N, 3, 64, 64]");
  });

  it('corrupts with the Tiny-ImageNet-C constants, and eval-corruptions evaluates the model on them', async () => {
    const c = join(dir, 'c');
    const r = await cli(['corrupt', '-i', data, '-o', c, '-w', '0', '-c', 'contrast,motion_blur,frost']);
    expect(r.stderr).not.toContain('error:');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('the constants of Tiny-ImageNet-C (make_tinyimagenet_c.py)');
    const meta = json<Record<string, unknown>>(join(c, 'corrupt.json'));
    expect(meta).toMatchObject({ preset: 'tiny-imagenet', resized: null, classes: ['forest', 'river', 'urban'], images: 9 });
    expect((meta.files as string[])[0]).toMatch(/tiles\/val\/forest\/0\.png$/);
    const ev = await cli([
      'run',
      'eval-corruptions',
      'backend=wasm',
      `model=${join(dir, 'train', 'seed-0')}`,
      'runtime=tfjs',
      `cifarC=${c}`,
      `out=${join(dir, 'ce')}`,
    ]);
    expect(ev.stderr).not.toContain('error:');
    expect(ev.code).toBe(0);
    const report = json<{ cells: { corruption: string; severity: number; count: number }[] }>(join(dir, 'ce', 'cifar-c.json'));
    expect(new Set(report.cells.map((cell) => cell.corruption))).toEqual(new Set(['contrast', 'motion_blur', 'frost']));
    expect(report.cells.map((cell) => cell.count)).toEqual(Array(15).fill(9));
  });

  it('corrupt refuses a size without constants, naming those that have them; --preset brings it to 224 as ImageNet-C does', async () => {
    const odd = join(dir, 'odd');
    for (const name of ['a', 'b']) {
      mkdirSync(join(odd, name), { recursive: true });
      await sharp(Buffer.alloc(48 * 80 * 3, name === 'a' ? 90 : 170), { raw: { width: 80, height: 48, channels: 3 } })
        .png()
        .toFile(join(odd, name, '0.png'));
    }
    const r = await cli(['corrupt', '-i', odd, '-o', join(dir, 'no'), '-w', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'has 48x80 images; the corruptions have constants for 32 x 32 (cifar), 64 x 64 (tiny-imagenet), 224 x 224 (imagenet); give --preset',
    );
    expect(existsSync(join(dir, 'no'))).toBe(false);
    const out = join(dir, 'c224');
    const p = await cli(['corrupt', '-i', odd, '-o', out, '-w', '0', '-c', 'pixelate', '--preset', 'imagenet']);
    expect(p.code).toBe(0);
    expect(json<{ preset: string; resized: string }>(join(out, 'corrupt.json'))).toMatchObject({
      preset: 'imagenet',
      resized: expect.stringContaining('Resize(256), CenterCrop(224)'),
    });
    // The .npy header: 5 severities x 2 images of 224 x 224 x 3.
    expect(readFileSync(join(out, 'pixelate.npy')).subarray(0, 128).toString('latin1')).toContain("'shape': (10, 224, 224, 3)");
  });
});
