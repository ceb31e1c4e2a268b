import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readImageFolder } from '../../../src/data/imageFolder.ts';
import type { Dataset } from '../../../src/data/dataset.ts';
import { corruptChunk } from '../../../src/ops/corruptions/corruptChunk.ts';
import type { Severity } from '../../../src/ops/corruptions/corruption.ts';
import { CORRUPTION_PRESETS, PRESETS, SEVERITY_CONSTANTS, presetForSize, presetSizes, type CorruptionPreset } from '../../../src/ops/corruptions/presets.ts';
import { CORRUPTIONS } from '../../../src/ops/corruptions/registry.ts';

// Made by the original's formulas with each generator's constants (bench/cifar_c_reference.py):
//   /usr/bin/python3 test/fixtures/make_corruption_size_fixtures.py
const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));
const WANT = JSON.parse(readFileSync(join(FIXTURES, 'corrupt-sizes.json'), 'utf8')) as {
  corruptions: Record<string, Record<string, string[]>>;
  resize: Record<string, string[]>;
};
const cache = mkdtempSync(join(tmpdir(), 'fa-presets-'));
afterAll(() => rmSync(cache, { recursive: true, force: true }));
const sha = (a: Uint8Array): string => createHash('sha256').update(a).digest('hex');
const load = (set: string, presetResize?: (typeof PRESETS)[CorruptionPreset]['resize']): Promise<Dataset> =>
  readImageFolder(join(FIXTURES, 'corrupt-sizes', set), 'test', { cacheDir: cache, presetResize });

async function corrupt(ds: Dataset, corruption: string, severity: Severity, preset: CorruptionPreset): Promise<Uint8Array> {
  const out = new Uint8Array(ds.pixels.length);
  await corruptChunk({ pixels: ds.pixels, shape: ds.shape, corruption, severities: [severity], preset, seed: 0, start: 0, count: ds.count, out, outIndex: 0 });
  return out;
}

describe('corruption presets', () => {
  it.each(CORRUPTION_PRESETS)('%s holds five finite constants per corruption and nothing else', (preset) => {
    const table = SEVERITY_CONSTANTS[preset] as unknown as Record<string, unknown>;
    const names = [...CORRUPTIONS.keys()];
    expect(Object.keys(table).sort()).toEqual([...names, 'elastic_size', 'frost_scale'].sort());
    const leaves = (v: unknown): unknown[] => (Array.isArray(v) ? v.flatMap(leaves) : typeof v === 'object' && v ? Object.values(v).flatMap(leaves) : [v]);
    for (const name of names) {
      const levels = table[name] as unknown[];
      expect(levels).toHaveLength(5);
      // Every severity of a corruption has the same fields.
      for (const level of levels)
        expect(typeof level === 'object' ? Object.keys(level!) : []).toEqual(typeof levels[0] === 'object' ? Object.keys(levels[0]!) : []);
      for (const v of leaves(levels)) expect(typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v) && v >= 0)).toBe(true);
    }
  });

  it("holds the scripts' values (spot checks against make_cifar_c.py and make_imagenet_c.py)", () => {
    expect(SEVERITY_CONSTANTS.cifar.gaussian_noise).toEqual([0.04, 0.06, 0.08, 0.09, 0.1]);
    expect(SEVERITY_CONSTANTS.imagenet.glass_blur[4]).toEqual({ sigma: 1.5, maxDelta: 4, iterations: 2 });
    expect(SEVERITY_CONSTANTS['tiny-imagenet'].spatter[3]).toEqual({ loc: 0.65, scale: 0.1, sigma: 0.7, threshold: 0.68, intensity: 0.6, mud: true });
    expect([SEVERITY_CONSTANTS.imagenet.elastic_size, SEVERITY_CONSTANTS.cifar.frost_scale]).toEqual([244, 0.2]);
  });

  it('are picked by image size, and name the sizes that have constants', () => {
    expect(presetForSize(32, 32)).toBe('cifar');
    expect(presetForSize(64, 64)).toBe('tiny-imagenet');
    expect(presetForSize(224, 224)).toBe('imagenet');
    expect(presetForSize(48, 80)).toBeNull();
    expect(presetForSize(64, 32)).toBeNull();
    expect(presetSizes()).toBe('32 x 32 (cifar), 64 x 64 (tiny-imagenet), 224 x 224 (imagenet)');
  });

  describe.each([
    ['tiny-imagenet', 'tiny', 64],
    ['imagenet', 'imagenet', 224],
  ] as const)('%s: deterministic corruptions equal the original bit for bit', (preset, set, side) => {
    let ds: Dataset;
    beforeAll(async () => {
      ds = await load(set);
      expect(ds.shape).toEqual({ height: side, width: side, channels: 3 });
    });
    it.each(Object.keys(WANT.corruptions[preset]!))('%s', async (name) => {
      const got = [];
      for (let s = 1; s <= 5; s++) got.push(sha(await corrupt(ds, name, s as Severity, preset)));
      expect(got).toEqual(WANT.corruptions[preset]![name]);
    });
  });

  it.each([
    ['cifar', 'tiny'],
    ['tiny-imagenet', 'tiny'],
    ['imagenet', 'imagenet'],
  ] as const)('%s: all five severities in one task give the bytes of five single-severity tasks (zoom_blur shares its zooms)', async (preset, set) => {
    const ds = await load(set);
    const n = ds.count;
    const all = new Uint8Array(5 * ds.pixels.length);
    await corruptChunk({
      pixels: ds.pixels,
      shape: ds.shape,
      corruption: 'zoom_blur',
      severities: [1, 2, 3, 4, 5],
      preset,
      seed: 0,
      start: 0,
      count: n,
      out: all,
      outIndex: 0,
      severityStride: n,
    });
    for (let s = 1; s <= 5; s++) {
      const one = await corrupt(ds, 'zoom_blur', s as Severity, preset);
      expect({ s, same: sha(all.subarray((s - 1) * one.length, s * one.length)) === sha(one) }).toEqual({ s, same: true });
    }
  });

  it.each([
    ['tiny-imagenet', 'Resize((64, 64))'],
    ['imagenet', 'Resize(256), CenterCrop(224)'],
  ] as const)("brings images to %s's size as its script does (%s, Pillow's bilinear), bit for bit", async (preset, _transforms) => {
    const ds = await load('resize', PRESETS[preset].resize);
    const side = PRESETS[preset].size;
    expect(ds.shape).toEqual({ height: side, width: side, channels: 3 });
    const bytes = side * side * 3;
    const got = Array.from({ length: ds.count }, (_, i) => sha(ds.pixels.subarray(i * bytes, (i + 1) * bytes)));
    expect(got).toEqual(WANT.resize[preset]);
  });

  it.each([
    ['tiny-imagenet', 'tiny'],
    ['imagenet', 'imagenet'],
  ] as const)(
    '%s: every corruption runs at its size, changes the image and repeats itself under one seed',
    async (preset, set) => {
      const ds = await load(set);
      const bytes = ds.shape.height * ds.shape.width * 3;
      const one = { ...ds, count: 1, pixels: ds.pixels.subarray(0, bytes) };
      for (const name of CORRUPTIONS.keys()) {
        const a = await corrupt(one, name, 3, preset);
        const b = await corrupt(one, name, 3, preset);
        expect({ name, same: sha(a) === sha(b) }).toEqual({ name, same: true });
        let changed = 0;
        for (let i = 0; i < bytes; i++) if (a[i] !== one.pixels[i]) changed++;
        expect({ name, changed: changed > 0 }).toEqual({ name, changed: true });
      }
    },
    60_000,
  );
});
