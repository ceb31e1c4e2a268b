import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpDir } from '../data/tmpDir.ts';
import { cli } from './io.ts';

// The tiny study split into stages of tasks, each task its own process (as Slurm array tasks or
// Kubernetes pods run them), against the same study in one process.
const root = process.cwd();
const dir = tmpDir('paper-stages');
const study = [
  'paper-smoke',
  'strategies=Base,AugSF',
  'limit=48',
  'fourierImages=16',
  'maxK=0',
  `cifarC=${join(root, 'test/fixtures/cifar-c')}`,
  'cImages=2',
  'workers=0',
  'backend=wasm',
];

function task(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'bin/fourier-augmix.js'), 'run', ...study, ...args], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

/** Runs every task of a stage at once, started in the given order; each must succeed. */
async function stage(name: string, order: number[], extra: string[] = []): Promise<void> {
  const results = await Promise.all(order.map((i) => task([`stage=${name}`, `task=${i}/${order.length}`, ...extra, `out=${join(dir, 'split')}`])));
  results.forEach((r) => expect(r.stderr.match(/^error: .*/m)?.[0] ?? '').toBe(''));
  results.forEach((r) => expect(r.code).toBe(0));
}

/** The report folder's files, with the study folder's own path taken out of report.md. */
function report(out: string): Record<string, string> {
  const files = readdirSync(join(out, 'report')).sort();
  return Object.fromEntries(files.map((f) => [f, readFileSync(join(out, 'report', f)).toString('base64')])) as Record<string, string>;
}
const reportMd = (out: string): string => readFileSync(join(out, 'report', 'report.md'), 'utf8').replaceAll(out, '<study>');

describe('paper in stages of tasks', () => {
  it('lists its tasks per stage without running anything', async () => {
    const r = await cli(['describe', ...study, 'fourierShards=2', '--plan', `out=${join(dir, 'planned')}`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('stage=train: 2 task(s)');
    expect(r.stdout).toMatch(/^ {4}0 {2}train cifar10-mini\/Base$/m);
    // Per trained seed: CIFAR-C, then the Fourier grid in 2 shards.
    expect(r.stdout).toContain('stage=eval: 6 task(s)');
    expect(r.stdout).toMatch(/^ {4}2 {2}eval-fourier cifar10-mini\/Base\/seed-0 shard 1\/2 {2}\(needs cifar10-mini\/Base\/seed-0\/result\.json\)$/m);
    expect(r.stdout).toContain('stage=report: 1 task(s)');
    expect(readdirSync(dir)).not.toContain('planned');
  });

  it('refuses a stage whose inputs are missing, naming them, before anything runs', async () => {
    const r = await cli(['run', ...study, 'stage=report', `out=${join(dir, 'early')}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/stage=report task=0\/1: inputs missing \(6\): cifar10-mini\/Base\/summary\.json, .*; run every task of stage=eval first/);
    expect(readdirSync(dir)).not.toContain('early');
    const noStage = await cli(['run', ...study, 'task=1/2', `out=${join(dir, 'early')}`]);
    expect(noStage.code).toBe(2);
    expect(noStage.stderr).toContain('task=1/2 runs a slice of one stage: give stage=train, eval or report with it');
  });

  it('three stages of tasks in separate processes, in shuffled order, give the one-process report; rerunning a task changes nothing', async () => {
    const one = join(dir, 'one');
    const whole = await cli(['run', ...study, `out=${one}`]);
    expect(whole.code).toBe(0);

    const split = join(dir, 'split');
    await stage('train', [1, 0]);
    await stage('eval', [2, 0, 1], ['fourierShards=2']);
    await stage('report', [0]);
    const { ['report.md']: _a, ...figures } = report(split);
    const { ['report.md']: _b, ...want } = report(one);
    expect(Object.keys(figures).length).toBeGreaterThanOrEqual(4);
    expect(figures).toEqual(want);
    expect(reportMd(split)).toBe(reportMd(one));

    // Any task again: its work is done, so nothing it feeds changes.
    const cells = (): string => readFileSync(join(split, 'cifar10-mini', 'AugSF', 'seed-0', 'fourier', 'fourier.json'), 'utf8');
    const before = { cells: cells(), report: report(split) };
    await stage('train', [0, 1]);
    await stage('eval', [1, 0, 2], ['fourierShards=2']);
    await stage('report', [0]);
    expect(cells()).toBe(before.cells);
    expect(report(split)).toEqual(before.report);
  });
});
