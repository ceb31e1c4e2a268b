import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './io.ts';

const fixture = join(process.cwd(), 'test/fixtures/cifar-c');
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fa-paper-'));
  const r = await cli([
    'run',
    'paper-smoke',
    'strategies=Base',
    'limit=48',
    'fourierImages=16',
    'maxK=0',
    `cifarC=${fixture}`,
    'cImages=2',
    'workers=0',
    'backend=wasm',
    `out=${join(dir, 'study')}`,
  ]);
  if (r.code !== 0) throw new Error(r.stderr);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('paper pipeline and report', () => {
  it('trains, evaluates CIFAR-C and the Fourier attack per seed, and reports, in the layout the report reads', () => {
    const seed = join(dir, 'study', 'cifar10-mini', 'Base', 'seed-0');
    for (const f of ['checkpoint.msgpack', 'cifar-c/cifar-c.json', 'fourier/fourier.json', 'fourier/table2.md']) expect(existsSync(join(seed, f))).toBe(true);
    const md = readFileSync(join(dir, 'study', 'report', 'report.md'), 'utf8');
    expect(md).toContain('| data | Base |');
    // One seed has no spread: it says so rather than printing ± 0.0.
    expect(md).toMatch(/\| cifar10-mini-C err \| [\d.]+ \(n = 1\) \|/);
    expect(md).toMatch(/\| random-flip \| 4 \| [\d.]+ \([\d.]+\) \|/);
  });

  it('`report` builds Table 1 with strategies as columns and Figures 1-3 from several runs', async () => {
    const base = join(dir, 'study', 'cifar10-mini', 'Base');
    const other = join(dir, 'AugSVF');
    cpSync(base, other, { recursive: true });
    const summary = JSON.parse(readFileSync(join(other, 'summary.json'), 'utf8')) as { strategy: string };
    writeFileSync(join(other, 'summary.json'), JSON.stringify({ ...summary, strategy: 'AugSVF' }));
    const out = join(dir, 'report');
    const r = await cli(['report', other, base, '-o', out]);
    expect(r.code).toBe(0);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toContain('| data | Base | AugSVF |'); // the paper's column order, whatever the argument order
    for (const f of ['figure2-cifar10-mini.png', 'figure3-cifar10-mini.png', 'figure1-cifar10-mini-AugSVF-random-flip-norm4.png']) {
      expect(readFileSync(join(out, f)).subarray(1, 4).toString()).toBe('PNG');
    }
    const bad = await cli(['report', fixture, '-o', join(dir, 'never')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`report: ${fixture}: not a finished training run (no summary.json`);
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });

  it('`report` combines the seeds of one strategy from several folders, and refuses one seed twice', async () => {
    const base = join(dir, 'study', 'cifar10-mini', 'Base');
    const seed1 = join(dir, 'Base-seed1');
    cpSync(base, seed1, { recursive: true });
    cpSync(join(seed1, 'seed-0'), join(seed1, 'seed-1'), { recursive: true });
    rmSync(join(seed1, 'seed-0'), { recursive: true });
    const summary = JSON.parse(readFileSync(join(seed1, 'summary.json'), 'utf8')) as { seeds: { seed: number; test: { error: number } }[] };
    summary.seeds = summary.seeds.map((s) => ({ ...s, seed: 1, dir: join(seed1, 'seed-1'), test: { ...s.test, error: s.test.error + 0.1 } }));
    writeFileSync(join(seed1, 'summary.json'), JSON.stringify(summary));
    const out = join(dir, 'combined');
    const r = await cli(['report', base, seed1, '-o', out]);
    expect(r.code).toBe(0);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toContain(`Base on cifar10-mini (2 seed(s), ${base} + ${seed1})`);
    expect(md).toMatch(/\| cifar10-mini err \| [\d.]+ ± [1-9][\d.]* \|/);
    const twice = await cli(['report', base, base, '-o', join(dir, 'twice')]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain(`two runs of Base on cifar10-mini hold seed 0: ${base} and ${base}`);
  });
});
