import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode, hasPngSignature } from 'fast-png';
import { unpackMultiple } from 'msgpackr';
import type { BatchRecord, ProfileReport } from '../../src/report/profileReport.ts';
import { cli } from './io.ts';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'fa-run-'));

describe('built-in pipelines', () => {
  it('preview writes a contact sheet PNG and the parameters of every cell', async () => {
    const out = tmp();
    const r = await cli(['run', 'preview', 'images=2', 'samples=2', 'strategies=Base,AugSVF', `out=${out}`]);
    expect(r.stderr).not.toContain('error');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(join(out, 'preview.png'));

    const bytes = readFileSync(join(out, 'preview.png'));
    expect(hasPngSignature(bytes)).toBe(true);
    const png = decode(bytes);
    // Two blocks side by side, each: labels + (original + 2 samples) cells of 32 px × 3, two rows.
    expect(png.width).toBeGreaterThan(2 * 3 * 96);
    expect(png.height).toBeGreaterThan(2 * 96);
    expect(png.width).toBeLessThan(2000);

    const json = JSON.parse(readFileSync(join(out, 'preview.json'), 'utf8')) as {
      images: { index: number; class: string }[];
      strategies: { name: string; view: number; cells: { epoch: number; flip: boolean; view: unknown }[][] }[];
    };
    expect(json.images).toHaveLength(2);
    // One image per class first: the first airplane, then the first automobile.
    expect(json.images.map((i) => i.class)).toEqual(['airplane', 'automobile']);
    expect(json.strategies.map((s) => [s.name, s.view])).toEqual([
      ['Base', 0],
      ['AugSVF', 1],
    ]);
    for (const s of json.strategies) {
      expect(s.cells.map((row) => row.map((c) => c.epoch))).toEqual([
        [0, 1],
        [0, 1],
      ]);
    }
    expect(json.strategies[0]!.cells[0]![0]!.view).toBeNull(); // Base: flip and crop only
    expect(json.strategies[1]!.cells[0]![0]!.view).toMatchObject({ ws: expect.any(Array), m: expect.any(Number), chains: expect.any(Array) });
  });

  it('profile-datapath writes profile.json with the augment rate and decodable per-batch records', async () => {
    const out = tmp();
    const r = await cli(['run', 'profile-datapath', 'limit=256', 'epochs=1', 'workers=1', 'batchSize=64', `out=${out}`]);
    expect(r.stderr).not.toContain('error');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^augment +256 /m); // the final profile table

    const report = JSON.parse(readFileSync(join(out, 'profile.json'), 'utf8')) as ProfileReport;
    expect(report.images).toBe(256);
    expect(report.config).toMatchObject({ limit: 256, workers: 1, strategy: 'AugSVF' });
    const augment = report.profile.stages.find((s) => s.name === 'augment');
    expect(augment?.images).toBe(256);
    expect(augment?.imagesPerSecond).toBeGreaterThan(0);
    expect(report.rss.peakBytes).toBeGreaterThanOrEqual(report.rss.beforeBytes);

    const records = unpackMultiple(readFileSync(join(out, 'batches.msgpack'))) as BatchRecord[];
    expect(records.map((b) => [b.step, b.epoch, b.size])).toEqual([
      [0, 0, 64],
      [1, 0, 64],
      [2, 0, 64],
      [3, 0, 64],
    ]);
    for (const b of records) {
      expect(b.rss).toBeGreaterThan(0);
      expect(b.credits).toBeGreaterThanOrEqual(1);
    }
    expect(readFileSync(join(out, 'profile.md'), 'utf8')).toContain('| augment | 256 |');
  });

  it.each([
    ['a slow consumer', ['workers=2', 'consumerMs=40', 'limit=1024'], 'consumer'],
    ['workers=0', ['workers=0', 'limit=2048'], 'in-process'],
    ['workers = cores', ['workers=2', 'epochs=2'], 'workers'],
  ])('profile names the bottleneck with %s', async (_name, args, bottleneck) => {
    const out = mkdtempSync(join(tmpdir(), 'fa-verdict-'));
    const r = await cli(['run', 'profile-datapath', 'batchSize=64', ...args, `out=${out}`]);
    expect(r.code).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'profile.json'), 'utf8')) as ProfileReport;
    expect(report.verdict.bottleneck).toBe(bottleneck);
    expect(r.stdout).toContain(`bottleneck: ${report.verdict.line}`);
    expect(readFileSync(join(out, 'profile.md'), 'utf8')).toContain(`**Bottleneck: ${bottleneck}.**`);
  });
});
