import sharp from 'sharp';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/*
 * The package as a user gets it: `npm pack`, installed into a fresh project outside the
 * repository, used from that project's folder with plain `node` (no tsx anywhere): the README's
 * quick tour verbatim (a primitive and a strategy of the project's own, streamed on 2 workers and
 * trained through the exported API), then the CLI through npx with the same strategy file.
 */
const repo = resolve('.');
const work = mkdtempSync(join(tmpdir(), 'fa-pack-'));
const project = join(work, 'project');
afterAll(() => rmSync(work, { recursive: true, force: true }));

// npm passes its own settings to scripts as npm_* variables (the local prefix among them): a
// nested npm must not inherit them, or it would install into the repository.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
const npm = (args: string[], cwd: string, extra: Record<string, string> = {}): string =>
  execFileSync('npm', args, { cwd, env: { ...env, ...extra }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 180_000 });
const node = (args: string[]) => spawnSync(process.execPath, args, { cwd: project, env, encoding: 'utf8', timeout: 120_000 });

/** The quick tour's files: the ```js blocks of the README whose first line is `// <name>.mjs`. */
function tourFiles(): Map<string, string> {
  const readme = readFileSync(join(repo, 'README.md'), 'utf8');
  return new Map([...readme.matchAll(/```js\n(\/\/ ([\w.-]+\.mjs)[^\n]*\n[\s\S]*?)```/g)].map((m) => [m[2]!, m[1]!]));
}

let packedFiles: string[] = [];

beforeAll(() => {
  // dist/ as `npm test` just built it: packing without scripts does not rebuild it under tests
  // that run the CLI at the same time.
  if (!existsSync(join(repo, 'dist', 'src', 'index.js'))) throw new Error('dist/ is not built: run `npm run build` (npm test does)');
  const packed = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', work], repo)) as { filename: string; files: { path: string }[] }[];
  packedFiles = packed[0]!.files.map((f) => f.path);
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'a-users-project', private: true, type: 'module' }));
  // The native addon's build is skipped (minutes of compiling, tested elsewhere); the rest installs as for any user.
  npm(['install', join(work, packed[0]!.filename), '--prefer-offline', '--no-audit', '--no-fund'], project, { FA_NATIVE_SKIP: '1' });
}, 240_000);

describe('the packed package, installed into another project', () => {
  it('ships the built code, the bundled data and the native sources, and no tests, benches or tsx', () => {
    for (const f of [
      'bin/fourier-augmix.js',
      'dist/src/index.js',
      'dist/src/index.d.ts',
      'dist/src/cli/bin.js',
      'dist/src/streams/augmentWorker.js',
      'dist/pipelines/train.js',
      'data/cifar10-mini/test_batch.bin',
      'data/frost/frost1-0.2.png',
      'native/src/addon.cc',
      'native/install.cjs',
    ]) {
      expect(packedFiles).toContain(f);
    }
    expect(packedFiles.filter((f) => /^(test|bench|src|pipelines|scripts)\/|fixtures|\.ts$/.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
    expect(existsSync(join(project, 'node_modules', 'tsx'))).toBe(false);
  });

  it('corrupts image folders at 64 and 224 with frost (textures of every preset shipped)', async () => {
    for (const side of [64, 224]) {
      const dir = join(project, `imgs${side}`);
      for (const name of ['a', 'b']) {
        mkdirSync(join(dir, name), { recursive: true });
        const raw = Buffer.alloc(side * side * 3);
        for (let i = 0; i < raw.length; i++) raw[i] = (i * 7 + (name === 'a' ? 0 : 90)) % 256;
        await sharp(raw, { raw: { width: side, height: side, channels: 3 } })
          .png()
          .toFile(join(dir, name, '0.png'));
      }
      const r = node(['node_modules/.bin/fourier-augmix', 'corrupt', '-i', dir, '-o', join(project, `c${side}`), '-c', 'frost', '-w', '0']);
      expect(r.stderr).not.toMatch(/error/);
      expect(r.status).toBe(0);
      expect(existsSync(join(project, `c${side}`, 'frost.npy'))).toBe(true);
    }
  });

  it("runs the README's quick tour verbatim with plain node: a user primitive streamed on 2 workers, then trained", () => {
    const files = tourFiles();
    expect([...files.keys()]).toEqual(['invert.mjs', 'mine.mjs', 'tour.mjs']);
    for (const [name, text] of files) writeFileSync(join(project, name), text);
    const r = node(['tour.mjs']);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^batch 0: 128 samples x 3 views, labels \d/m);
    expect(r.stdout).toMatch(/^epoch 1: loss \d\.\d{3}$/m);
    expect(r.stdout).toContain('checkpoint runs/tour/checkpoint.msgpack');
    expect(existsSync(join(project, 'runs', 'tour', 'checkpoint.msgpack'))).toBe(true);
  });

  it("exports every name the README's API table lists, from each entry point", () => {
    const readme = readFileSync(join(repo, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('## Public API'), readme.indexOf('## Pipelines and the CLI'));
    const rows = [...table.matchAll(/^\| `(fourier-augmix[\w/]*)` \| (.*) \|$/gm)].map((m) => ({
      entry: m[1]!,
      names: [...m[2]!.matchAll(/`([A-Za-z]\w*)[`(/]/g)].map((n) => n[1]!),
    }));
    expect(rows.map((r) => r.entry)).toEqual([
      'fourier-augmix',
      'fourier-augmix/model',
      'fourier-augmix/pipeline',
      'fourier-augmix/jobs',
      'fourier-augmix/data',
      'fourier-augmix/cli',
    ]);
    // The table names values only (a type has no runtime export to check).
    const script = `const rows = ${JSON.stringify(rows)}; const missing = [];
      for (const r of rows) { const m = await import(r.entry); for (const n of r.names) if (!(n in m)) missing.push(r.entry + ': ' + n); }
      console.log(JSON.stringify(missing));`;
    const r = node(['--input-type=module', '-e', script]);
    expect(r.stderr).toBe('');
    expect(rows.flatMap((x) => x.names).length).toBeGreaterThan(50);
    expect(JSON.parse(r.stdout)).toEqual([]);
  });

  it('trains and previews the strategy file through npx fourier-augmix from the project folder', () => {
    const run = (args: string[]) => spawnSync('npx', ['fourier-augmix', ...args], { cwd: project, env, encoding: 'utf8', timeout: 120_000 });
    const train = run([
      'run',
      'train',
      'strategy=./mine.mjs',
      'epochs=1',
      'depth=10',
      'widen=1',
      'limit=48',
      'batchSize=16',
      'backend=wasm',
      'workers=2',
      'out=runs/train',
    ]);
    expect(train.stderr).not.toMatch(/^error/m);
    expect(train.status).toBe(0);
    expect(train.stderr).toContain('strategy Mine: ');
    expect(JSON.parse(readFileSync(join(project, 'runs/train/summary.json'), 'utf8'))).toMatchObject({
      strategy: 'Mine',
      definition: { source: { file: 'mine.mjs' } },
    });
    // A TypeScript pipeline without tsx in the project: a clear error, not a stack.
    writeFileSync(join(project, 'mine-pipeline.ts'), `export default {};\n`);
    const ts = run(['run', './mine-pipeline.ts']);
    expect(ts.status).toBe(2);
    expect(ts.stderr.trim()).toBe(
      `error: mine-pipeline.ts: failed to load: ${join(project, 'mine-pipeline.ts')}: TypeScript needs tsx: \`npm i -D tsx\` in your project (the CLI and its workers find it there; a script of your own runs with \`node --import tsx\`), or write the module as .mjs`,
    );
    const preview = run(['run', 'preview', 'strategies=./mine.mjs', 'images=2', 'samples=2', 'out=runs/preview']);
    expect(preview.status).toBe(0);
    expect(readdirSync(join(project, 'runs/preview')).sort()).toEqual(['config.json', 'preview.json', 'preview.png']);
  });
});
