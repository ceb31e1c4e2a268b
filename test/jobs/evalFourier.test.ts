import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../cli/io.ts';
import { writeTestCheckpoint } from '../model/testCheckpoint.ts';

const root = process.cwd();
let dir: string;
let model: string;
const common = (): string[] => [`model=${model}`, 'images=24', 'maxK=1', 'norms=2', 'batch=10', 'backend=wasm'];
const cellLines = (file: string): Record<string, unknown>[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l)
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((r) => r.type === 'cell');
const figures = (report: string): unknown[] =>
  (JSON.parse(readFileSync(report, 'utf8')) as { cells: Record<string, unknown>[] }).cells.map(({ seconds: _s, ...c }) => c);

/** The CLI in its own process, as a Slurm array task or a Kubernetes pod runs it. */
function cliProcess(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'bin/fourier-augmix.js'), ...args], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fa-fourier-'));
  model = join(dir, 'model.msgpack');
  await writeTestCheckpoint(model, 4);
  const whole = await cli(['run', 'eval-fourier', ...common(), `out=${join(dir, 'whole')}`]);
  expect(whole.stderr).toContain('10 of 10 cells in this shard');
  expect(whole.code).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('eval-fourier', () => {
  it('writes every cell, fourier.json, Table 2 and a heatmap per (norm, alignment)', () => {
    const w = join(dir, 'whole');
    expect(cellLines(join(w, 'cells-0-of-1.jsonl'))).toHaveLength(10);
    for (const f of [
      'fourier.json',
      'table2.md',
      'heatmap-aligned-norm2.png',
      'heatmap-random-flip-norm2.png',
      'calibration-aligned-norm2.png',
      'calibration-random-flip-norm2.png',
    ])
      expect(existsSync(join(w, f))).toBe(true);
    const table = readFileSync(join(w, 'table2.md'), 'utf8');
    expect(table).toMatch(/\| 2 \| [\d.]+ \([\d.]+\) \| [\d.]+ \([\d.]+\) \|/);
    expect(readFileSync(join(w, 'heatmap-aligned-norm2.png')).subarray(1, 4).toString()).toBe('PNG');
  });

  it('two shards run in separate processes merge to the unsharded result', async () => {
    const shards = await Promise.all([0, 1].map((i) => cliProcess(['run', 'eval-fourier', ...common(), `shard=${i}/2`, `out=${join(dir, `shard${i}`)}`])));
    expect(shards.map((s) => s.code)).toEqual([0, 0]);
    expect(shards[0]!.stderr).toContain('5 of 10 cells in this shard');
    expect(shards[0]!.stderr).toContain('5 missing');
    const keys = [0, 1].map((i) => cellLines(join(dir, `shard${i}`, `cells-${i}-of-2.jsonl`)).map((c) => c.key));
    expect(keys[0]!.filter((k) => keys[1]!.includes(k))).toEqual([]);
    const merged = await cli(['run', 'merge-fourier', `from=${join(dir, 'shard0')},${join(dir, 'shard1')}`, `out=${join(dir, 'merged')}`]);
    expect(merged.code).toBe(0);
    expect(figures(join(dir, 'merged', 'fourier.json'))).toEqual(figures(join(dir, 'whole', 'fourier.json')));
  }, 60_000);

  it('resumes an interrupted evaluation without redoing finished cells (a torn last line is dropped)', async () => {
    const r = join(dir, 'resume');
    mkdirSync(r);
    const lines = readFileSync(join(dir, 'whole', 'cells-0-of-1.jsonl'), 'utf8').split('\n');
    writeFileSync(join(r, 'cells-0-of-1.jsonl'), `${lines.slice(0, 5).join('\n')}\n`);
    const before = cellLines(join(r, 'cells-0-of-1.jsonl'));
    writeFileSync(join(r, 'cells-0-of-1.jsonl'), `${lines.slice(0, 5).join('\n')}\n${lines[5]!.slice(0, 40)}`);
    const res = await cli(['run', 'eval-fourier', ...common(), `out=${r}`]);
    expect(res.code).toBe(0);
    expect(res.stderr).toContain('4 already in');
    const after = cellLines(join(r, 'cells-0-of-1.jsonl'));
    expect(after).toHaveLength(10);
    expect(after.slice(0, 4)).toEqual(before); // untouched, same timestamps
    expect(figures(join(r, 'fourier.json'))).toEqual(figures(join(dir, 'whole', 'fourier.json')));
  });

  it('shards of one grid share a folder, each locking its own file; one shard twice is refused', async () => {
    const out = join(dir, 'shared');
    const [a, b] = await Promise.all([0, 1].map((i) => cli(['run', 'eval-fourier', ...common(), `shard=${i}/2`, `out=${out}`])));
    expect([a!.code, b!.code]).toEqual([0, 0]);
    const lock = join(out, 'cells-0-of-2.jsonl.lock');
    writeFileSync(lock, JSON.stringify({ host: 'elsewhere', pid: 1, since: '2026-01-01T00:00:00.000Z' }));
    const twice = await cli(['run', 'eval-fourier', ...common(), 'shard=0/2', `out=${out}`]);
    expect(twice.code).not.toBe(0);
    expect(twice.stderr).toContain(`shard 0/2 of the Fourier grid in ${out} is in use by process 1 on elsewhere`);
  });

  it('refuses a folder holding another evaluation, naming the file and what differs', async () => {
    const r = join(dir, 'other');
    mkdirSync(r);
    copyFileSync(join(dir, 'whole', 'cells-0-of-1.jsonl'), join(r, 'cells-0-of-1.jsonl'));
    const res = await cli(['run', 'eval-fourier', ...common(), 'seed=1', `out=${r}`]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`${join(r, 'cells-0-of-1.jsonl')}: results of another evaluation than this evaluation ('seed' differs: 0 vs 1)`);
  });

  it('reports bad shard specs, missing models and ambiguous run folders clearly', async () => {
    const bad = await cli(['run', 'eval-fourier', ...common(), 'shard=2/2', `out=${join(dir, 'bad')}`]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("shard=2/2: shard '2/2': i must be in [0, 2) (shards count from 0)");
    const none = await cli(['run', 'eval-fourier', 'images=4', `out=${join(dir, 'bad')}`]);
    expect(none.stderr).toContain('eval-fourier: model= is required');
    const missing = await cli(['run', 'eval-fourier', `model=${join(dir, 'nope')}`, `out=${join(dir, 'bad')}`]);
    expect(missing.stderr).toContain(`model ${join(dir, 'nope')}: no such file or folder`);
    const run = join(dir, 'run');
    for (const s of [0, 1]) mkdirSync(join(run, `seed-${s}`), { recursive: true });
    const two = await cli(['run', 'eval-fourier', `model=${run}`, `out=${join(dir, 'bad')}`]);
    expect(two.stderr).toContain(`model ${run}: a training run with 2 seeds; name one: ${join(run, 'seed-0')}, ${join(run, 'seed-1')}`);
    const phases = await cli(['run', 'eval-fourier', ...common(), 'phases=0.75,x', `out=${join(dir, 'bad')}`]);
    expect(phases.stderr).toContain("phases=0.75,x: 'x' is not a number");
  });

  it('fullPlane=true evaluates both waves of each pair: 9 cells of |k| <= 1 instead of 5, each its own result', async () => {
    const out = join(dir, 'full');
    const r = await cli(['run', 'eval-fourier', ...common(), 'alignments=aligned', 'fullPlane=true', `out=${out}`]);
    expect(r.code).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'fourier.json'), 'utf8')) as {
      fingerprint: { grid: { fullPlane?: boolean } };
      cells: { kx: number; ky: number }[];
    };
    expect(report.fingerprint.grid.fullPlane).toBe(true);
    expect(report.cells.map((c) => `${c.kx},${c.ky}`).sort()).toEqual(['-1,-1', '-1,0', '-1,1', '0,-1', '0,0', '0,1', '1,-1', '1,0', '1,1']);
    // The authors' K, as before: no fullPlane in the fingerprint.
    const half = JSON.parse(readFileSync(join(dir, 'whole', 'fourier.json'), 'utf8')) as { fingerprint: { grid: Record<string, unknown> } };
    expect('fullPlane' in half.fingerprint.grid).toBe(false);
  });
});
