import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cli } from './io.ts';

// A user's folder outside the repository, holding a strategy file and its primitive.
const project = mkdtempSync(join(tmpdir(), 'fa-custom-'));
afterAll(() => rmSync(project, { recursive: true, force: true }));
writeFileSync(
  join(project, 'invert.mjs'),
  `export const invert = { name: 'invert', sample: (rng) => 1 + rng.int(3), apply: (s, d, c) => { for (let i = 0; i < s.data.length; i++) d.data[i] = i % s.channels < c ? 255 - s.data[i] : s.data[i]; } };\n`,
);
writeFileSync(
  join(project, 'mine.mjs'),
  `export default { name: 'Mine', ops: ['rotate', 'invert'], width: 2, modules: [{ module: './invert.mjs', export: 'invert' }] };\n`,
);
writeFileSync(join(project, 'typo.mjs'), `export default { name: 'Typo', ops: ['invrt'], modules: [{ module: './invert.mjs', export: 'invert' }] };\n`);
const bin = resolve('bin/fourier-augmix.js');

describe('custom strategies on the command line', () => {
  it('describe shows where a strategy file comes from, its primitives and settings', async () => {
    const r = await cli(['describe', 'train', 'strategy=./mine.mjs'], project);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`strategy Mine: ${join(project, 'mine.mjs')} (sha256 `);
    expect(r.stdout).toContain('primitives (2): rotate, invert');
    expect(r.stdout).toContain('width 2, depth 1-3, severity 3');
    expect(r.stdout).toMatch(
      new RegExp(`primitive module ${join(project, 'invert.mjs').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, export invert \\(sha256 [0-9a-f]{12}\\)`),
    );
  });

  it('refuses a bad strategy before anything is written, naming it (exit 2)', async () => {
    const out = join(project, 'runs', 'typo');
    const r = await cli(['run', 'train', 'strategy=./typo.mjs', `out=${out}`], project);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error: strategy 'Typo': unknown primitive 'invrt' (did you mean invert?)");
    expect(existsSync(out)).toBe(false);
    const name = await cli(['describe', 'train', 'strategy=Mine'], project);
    expect(name.code).toBe(2);
    expect(name.stderr).toContain('strategy=Mine is invalid: expected one of Base, AugF, AugS, AugSF, AugSV, AugSVC, AugSVF, or a path to a strategy module');
    const twice = await cli(['describe', 'preview', 'strategies=./mine.mjs,mine.mjs'], project);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain("two strategies are named 'Mine'");
  });

  it('previews a built-in and a strategy file side by side', async () => {
    const out = join(project, 'runs', 'preview');
    const r = await cli(['run', 'preview', 'strategies=Base,./mine.mjs', 'images=2', 'samples=2', `out=${out}`], project);
    expect(r.code).toBe(0);
    const json = JSON.parse(readFileSync(join(out, 'preview.json'), 'utf8')) as { strategies: { name: string; cells: { op: string }[][][] }[] };
    expect(json.strategies.map((s) => s.name)).toEqual(['Base', 'Mine']);
    const ops = new Set(JSON.stringify(json.strategies[1]).match(/"op":"[a-z_]+"/g));
    expect([...ops].every((o) => o === '"op":"rotate"' || o === '"op":"invert"')).toBe(true);
    expect(ops.has('"op":"invert"')).toBe(true);
  });

  it('finds the bundled data from any folder, for corrupt as for data=', async () => {
    const out = join(project, 'runs', 'c10c');
    const r = await cli(['corrupt', '-i', 'data/cifar10-mini', '-o', out, '--limit', '2', '-c', 'pixelate', '-w', '0'], project);
    expect(r.code).toBe(0);
    expect(existsSync(join(out, 'pixelate.npy'))).toBe(true);
  });

  it('starts a worker-pool command from a folder other than the package (the built CLI, in its own process)', () => {
    const out = join(project, 'runs', 'elsewhere');
    const r = spawnSync(process.execPath, [bin, 'run', 'profile-datapath', 'strategy=./mine.mjs', 'workers=2', 'limit=64', 'batchSize=32', `out=${out}`], {
      cwd: project,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.stderr).not.toMatch(/error/);
    expect(r.status).toBe(0);
    expect(readdirSync(out)).toEqual(expect.arrayContaining(['profile.json', 'config.json']));
  });
});

describe('custom strategies in training', () => {
  const out = join(project, 'runs', 'train');
  const args = [
    'run',
    'train',
    'strategy=./mine.mjs',
    'epochs=1',
    'depth=10',
    'widen=1',
    'limit=48',
    'batchSize=16',
    'workers=1',
    'backend=wasm',
    `out=${out}`,
  ];

  it('trains, records the definition, resumes, and refuses a resume with a changed primitive', async () => {
    const first = await cli(args, project);
    expect(first.stderr).not.toMatch(/^error/m);
    expect(first.code).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as {
      strategy: string;
      definition: { ops: string[]; modules: { module: string; sha256: string }[]; source: { file: string } };
    };
    expect(summary.strategy).toBe('Mine');
    expect(summary.definition.ops).toEqual(['rotate', 'invert']);
    expect(summary.definition.modules[0]).toMatchObject({ module: 'invert.mjs', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(summary.definition.source.file).toBe('mine.mjs');

    const again = await cli([...args, 'resume=true'], project);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('resumed after epoch 1 of 1');

    writeFileSync(join(project, 'invert.mjs'), readFileSync(join(project, 'invert.mjs'), 'utf8') + '// a changed primitive\n');
    const changed = await cli([...args, 'resume=true'], project);
    expect(changed.code).not.toBe(0);
    expect(changed.stderr).toMatch(/cannot resume, the run's settings changed: strategy\.modules\.0\.sha256 was "[0-9a-f]{64}", now "[0-9a-f]{64}"/);
  });
});

describe('custom strategies in the whole study', () => {
  it('paper trains, evaluates and reports a strategy file beside a built-in, in child processes', async () => {
    const out = join(project, 'runs', 'study');
    const cifarC = resolve('test/fixtures/cifar-c');
    const r = await cli(
      [
        'run',
        'paper-smoke',
        'strategies=Base,./mine.mjs',
        'limit=48',
        'fourierImages=16',
        'maxK=0',
        `cifarC=${cifarC}`,
        'cImages=2',
        'workers=1',
        'backend=wasm',
        'jobs=2',
        `out=${out}`,
      ],
      project,
    );
    expect(r.stderr).not.toMatch(/^error/m);
    expect(r.code).toBe(0);
    for (const f of ['checkpoint.msgpack', 'cifar-c/cifar-c.json', 'fourier/fourier.json'])
      expect(existsSync(join(out, 'cifar10-mini', 'Mine', 'seed-0', f))).toBe(true);
    expect(readFileSync(join(out, 'report', 'report.md'), 'utf8')).toContain('| data | Base | Mine |');
  }, 120_000);
});
