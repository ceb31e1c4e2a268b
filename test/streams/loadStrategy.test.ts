import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { firstValueFrom } from 'rxjs';
import { defineStrategy, strategies } from '../../src/ops/strategy.ts';
import { augment } from '../../src/streams/augment.ts';
import { epochs } from '../../src/streams/epochs.ts';
import { checkStrategy, isStrategyModule, loadStrategy, moduleUrl, strategyDefinition } from '../../src/streams/loadStrategy.ts';
import type { AugmentPool } from '../../src/streams/pool.ts';
import { makeDataset } from './helpers.ts';

// A project of a user's own, outside the repository: strategy files, primitives, a package.
const root = mkdtempSync(join(tmpdir(), 'fa-strategy-'));
const elsewhere = mkdtempSync(join(tmpdir(), 'fa-cwd-'));
afterAll(() => [root, elsewhere].forEach((d) => rmSync(d, { recursive: true, force: true })));
const write = (rel: string, text: string): string => {
  const path = join(root, rel);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
};
const invert = `export const invert = { name: 'invert', sample: (rng) => 1 + rng.int(3), apply: (s, d, c) => { for (let i = 0; i < s.data.length; i++) d.data[i] = i % s.channels < c ? 255 - s.data[i] : s.data[i]; } };\n`;
write('lib/invert.mjs', invert);
write('lib/mine.mjs', `export default { name: 'Mine', ops: ['rotate', 'invert'], width: 2, modules: [{ module: './invert.mjs', export: 'invert' }] };\n`);
write('node_modules/my-prims/package.json', JSON.stringify({ name: 'my-prims', type: 'module', exports: { '.': './index.js' } }));
write('node_modules/my-prims/index.js', invert);
write('pkg.mjs', `export default { name: 'FromPackage', ops: ['invert'], modules: [{ module: 'my-prims', export: 'invert' }] };\n`);

describe('loadStrategy', () => {
  it('loads a built-in by name in any case, checked', async () => {
    const s = await loadStrategy('augsvf', elsewhere);
    expect(s.name).toBe('AugSVF');
    expect(s.ops).toEqual(strategies.AugSVF!.ops);
    expect(s.source).toBeUndefined();
  });

  it('loads a strategy file, resolving its primitive modules against the file, not the working directory', async () => {
    const s = await loadStrategy(join(root, 'lib/mine.mjs'), elsewhere);
    expect(s).toMatchObject({ name: 'Mine', ops: ['rotate', 'invert'], width: 2, depth: -1, jsd: true });
    expect(s.modules).toEqual([
      { module: pathToFileURL(join(root, 'lib/invert.mjs')).href, export: 'invert', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
    ]);
    expect(s.source?.url).toBe(pathToFileURL(join(root, 'lib/mine.mjs')).href);
    // A path relative to cwd works as well as an absolute one.
    expect((await loadStrategy('lib/mine.mjs', root)).modules).toEqual(s.modules);
  });

  it('resolves a primitive module given as a package name from the strategy file', async () => {
    const s = await loadStrategy(join(root, 'pkg.mjs'), elsewhere);
    expect(s.modules[0]!.module).toBe(pathToFileURL(join(root, 'node_modules/my-prims/index.js')).href);
  });

  it('records file names and source hashes, not paths, and a changed source changes the definition', async () => {
    const before = strategyDefinition(await loadStrategy(join(root, 'lib/mine.mjs'), elsewhere));
    expect(before.modules).toEqual([{ module: 'invert.mjs', export: 'invert', sha256: expect.any(String) }]);
    expect(before.source).toEqual({ file: 'mine.mjs', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    write('lib/copy/invert.mjs', invert + '// changed\n');
    write(
      'lib/copy/mine.mjs',
      `export default { name: 'Mine', ops: ['rotate', 'invert'], width: 2, modules: [{ module: './invert.mjs', export: 'invert' }] };\n`,
    );
    const after = strategyDefinition(await loadStrategy(join(root, 'lib/copy/mine.mjs'), elsewhere));
    expect(after.source).toEqual(before.source);
    expect(after.modules).not.toEqual(before.modules);
    // A built-in's definition is the strategy itself, key for key (checkpoints compare it as JSON).
    expect(JSON.stringify(strategyDefinition(strategies.AugSVF!))).toBe(JSON.stringify(strategies.AugSVF));
  });

  it.each([
    ['a missing strategy file', 'nope.mjs', null, /strategy=.*nope\.mjs: .*nope\.mjs not found/],
    ['a file that throws on import', 'throws.mjs', `throw new Error('broken on purpose');\n`, /throws\.mjs failed to load: broken on purpose/],
    [
      'a file without a strategy default export',
      'noexport.mjs',
      `export const x = 1;\n`,
      /noexport\.mjs has no strategy as its default export; expected `export default defineStrategy/,
    ],
    [
      'a misspelt built-in primitive',
      'typo.mjs',
      `export default { name: 'Typo', ops: ['rotat'] };\n`,
      /strategy 'Typo': unknown primitive 'rotat' \(did you mean rotate\?\); known: .*rotate/,
    ],
    [
      'a misspelt user primitive',
      'typo2.mjs',
      `export default { name: 'Typo2', ops: ['invrt'], modules: [{ module: './lib/invert.mjs', export: 'invert' }] };\n`,
      /strategy 'Typo2': unknown primitive 'invrt' \(did you mean invert\?\)/,
    ],
    [
      'a missing primitive module',
      'nomod.mjs',
      `export default { name: 'NoMod', ops: ['invert'], modules: [{ module: './lib/gone.mjs', export: 'invert' }] };\n`,
      /strategy 'NoMod': primitive module .*gone\.mjs not found/,
    ],
    [
      'a missing package',
      'nopkg.mjs',
      `export default { name: 'NoPkg', ops: ['invert'], modules: [{ module: 'no-such-prims', export: 'invert' }] };\n`,
      /strategy 'NoPkg': primitive module 'no-such-prims': no such package or file/,
    ],
    [
      'a wrong export name',
      'wrongexport.mjs',
      `export default { name: 'Wrong', ops: ['invert'], modules: [{ module: './lib/invert.mjs', export: 'invrt' }] };\n`,
      /strategy 'Wrong': .*invert\.mjs has no export 'invrt'; it exports: invert/,
    ],
    [
      'an export that is not a primitive',
      'notprim.mjs',
      `export default { name: 'NotPrim', ops: ['x'], modules: [{ module: './lib/mine.mjs', export: 'default' }] };\n`,
      /mine\.mjs: export 'default' is not a primitive/,
    ],
    [
      'a primitive module that throws on import',
      'modthrows.mjs',
      `export default { name: 'ModThrows', ops: ['invert'], modules: [{ module: './throws.mjs', export: 'invert' }] };\n`,
      /strategy 'ModThrows': primitive module .*throws\.mjs failed to load: broken on purpose/,
    ],
    [
      'a bad setting',
      'badwidth.mjs',
      `export default { name: 'BadWidth', ops: ['rotate'], width: 0 };\n`,
      /strategy=.*badwidth\.mjs: strategy 'BadWidth': width = 0 is invalid; expected an integer >= 1/,
    ],
  ])('refuses %s, naming what is wrong', async (_what, file, text, message) => {
    if (text !== null) write(file, text);
    await expect(loadStrategy(join(root, file), elsewhere)).rejects.toThrow(message);
  });

  it('tells a module path from a built-in name', () => {
    expect(['./mine.mjs', 'lib/mine.js', 'mine.ts', 'file:///x/mine.mjs', 'C:\\x\\mine.mjs'].every(isStrategyModule)).toBe(true);
    expect(['AugSVF', 'base', 'Mine'].some(isStrategyModule)).toBe(false);
  });

  it('takes module URLs and absolute paths as they are', () => {
    const base = pathToFileURL(`${root}/`).href;
    expect(moduleUrl('file:///abs/x.mjs', base)).toBe('file:///abs/x.mjs');
    expect(moduleUrl(join(root, 'lib/invert.mjs'), base)).toBe(pathToFileURL(join(root, 'lib/invert.mjs')).href);
    expect(moduleUrl('./lib/invert.mjs', base)).toBe(pathToFileURL(join(root, 'lib/invert.mjs')).href);
  });
});

describe('defineStrategy and checkStrategy', () => {
  it('rejects a misspelt built-in primitive at once, with the nearest name', () => {
    expect(() => defineStrategy({ name: 'X', ops: ['rotate', 'equalise'] })).toThrow("strategy 'X': unknown primitive 'equalise' (did you mean equalize?)");
    expect(() => defineStrategy({ name: 'has space', ops: ['rotate'] })).toThrow(/name = "has space" is invalid/);
  });

  it('takes a URL for a module and stores it as a string (strategies stay plain data)', async () => {
    const url = new URL(pathToFileURL(join(root, 'lib/invert.mjs')).href);
    const s = defineStrategy({ name: 'U', ops: ['invert'], modules: [{ module: url, export: 'invert' }] });
    expect(s.modules[0]!.module).toBe(url.href);
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
    const checked = await checkStrategy(s, elsewhere);
    expect(basename(new URL(checked.modules[0]!.module).pathname)).toBe('invert.mjs');
  });

  it('augment refuses an unknown user primitive before handing any task to the pool', async () => {
    let tasks = 0;
    const pool: AugmentPool = { threads: 1, run: async () => (tasks++, Promise.reject(new Error('ran'))), queued: () => 0, destroy: async () => {} };
    const s = defineStrategy({ name: 'Late', ops: ['invrt'], modules: [{ module: join(root, 'lib/invert.mjs'), export: 'invert' }] });
    await expect(firstValueFrom(epochs(makeDataset(4), { epochs: 1, seed: 0 }).pipe(augment(s, { workers: pool })))).rejects.toThrow(
      "strategy 'Late': unknown primitive 'invrt' (did you mean invert?)",
    );
    expect(tasks).toBe(0);
  });
});
