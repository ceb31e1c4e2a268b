import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './io.ts';

const dir = mkdtempSync(join(tmpdir(), 'fa-main-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// What `npm start` runs, shrunk to seconds; jobs=2 runs each strategy in child processes. No
// epochs=: the default follows the backend (2 on wasm).
const args = [
  'run',
  'main',
  'limit=40',
  'depth=10',
  'batchSize=20',
  'cImages=3',
  'fourierImages=8',
  'norms=4',
  'kStep=16',
  'jobs=2',
  'workers=0',
  'backend=wasm',
  `out=${dir}`,
];

describe('the main job', () => {
  it('trains both strategies side by side, builds the corruption benchmark, evaluates, and writes report.md', async () => {
    const r = await cli(args);
    expect(r.stderr).not.toContain('error:');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('WRN-10-1, 2 epochs on wasm, batch 20');
    expect(r.stdout).toMatch(/^strategy +test err +calib +C err +unperturbed +Fourier aligned 4 +Fourier random-flip 4$/m);
    expect(r.stdout).toMatch(/^Base +\d+\.\d% +\d+\.\d% +\d+\.\d% +\d+\.\d% +\d+\.\d% +\d+\.\d%$/m);
    expect(r.stdout).toMatch(/^AugSVF +\d+\.\d%/m);
    expect(r.stdout).toContain(`open ${join(dir, 'report.md')}`);
    const md = readFileSync(join(dir, 'report.md'), 'utf8');
    expect(md).toMatch(/\| AugSVF \| [\d.]+% \| [\d.]+% \| [\d.]+% \| [\d.]+% \| [\d.]+% \| [\d.]+% \|/);
    const heatmaps = [...md.matchAll(/!\[[^\]]+\]\(([^)]+heatmap[^)]+)\)/g)].map((m) => m[1]!);
    expect(heatmaps).toHaveLength(4);
    heatmaps.forEach((h) => expect(existsSync(join(dir, h))).toBe(true));
    expect(JSON.parse(readFileSync(join(dir, 'cifar10-mini-c', 'corrupt.json'), 'utf8'))).toMatchObject({ images: 3 });
    // A second run (in-process this time) finds everything done: it keeps the benchmark and
    // resumes the finished runs to the same results.
    const again = await cli(args.map((a) => (a === 'jobs=2' ? 'jobs=1' : a)));
    expect(again.code).toBe(0);
    expect(again.stderr).toContain(`main: keeping ${join(dir, 'cifar10-mini-c')}`);
    const results = (out: string): string => out.replace(/^[\d.]+ min; open .*$/m, '');
    expect(results(again.stdout)).toBe(results(r.stdout));
  }, 240_000);
});
