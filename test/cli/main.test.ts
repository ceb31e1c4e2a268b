import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cli } from './io.ts';
import { TRAIN_BACKEND } from '../model/testBackend.ts';

const root = resolve('.');
const tmp = (): string => mkdtempSync(join(tmpdir(), 'fa-cli-'));

describe('fourier-augmix CLI', () => {
  it('names the available pipelines for an unknown name, as one line with status 2', async () => {
    const r = await cli(['run', 'nope']);
    expect(r.code).toBe(2);
    // Matched loosely so that adding a pipeline does not break this test.
    expect(r.stderr).toMatch(
      /^error: unknown pipeline 'nope'; available: ([a-z0-9-]+, )*main, ([a-z0-9-]+, )*train \(and their presets, see `list`\), or give a path to a pipeline module\n$/,
    );
    const preset = await cli(['run', 'train-nope-cifar10']);
    expect(preset.stderr).toMatch(/^error: unknown pipeline 'train-nope-cifar10'; available: /);
  });

  it('runs presets by name: their values marked as such, overrides winning, their own run directory', async () => {
    const r = await cli(['describe', 'train-augsf-cifar10-mini', 'epochs=2']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^train-augsf-cifar10-mini \(pipelines\/train\.ts\): AugSF, WRN-16-1/);
    expect(r.stdout).toMatch(/\n {2}strategy +AugSF +preset\n/);
    expect(r.stdout).toMatch(/\n {2}depth +16 +preset\n/);
    expect(r.stdout).toMatch(/\n {2}epochs +2 +given\n/);
    expect(r.stdout).toMatch(/\n {2}lr +0\.1 +default\n/);
    expect(r.stdout).toMatch(/\n {2}out +\S*runs\/train-augsf-cifar10-mini +default\n/);
    const paper = await cli(['describe', 'train-augsvf-cifar100']);
    expect(paper.stdout).toMatch(/\n {2}seeds +0,1,2,3 +preset\n/);
    expect(paper.stdout).toMatch(/\n {2}depth +40 +default\n/);
    const bad = await cli(['describe', 'train-base-cifar10', 'seeds=1,1']);
    expect(bad.stderr).toBe('error: pipelines/train.ts: seeds=1,1 is invalid: expected a comma-separated list of distinct integers >= 0\n');
  });

  it("prints its version, and a pipeline's own parameters for `run <pipeline> --help`", async () => {
    const version = await cli(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout).toBe(`${(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version}\n`);
    for (const argv of [
      ['run', 'preview', '--help'],
      ['describe', 'preview', '-h'],
      ['run', 'preview', 'images=2', '--help'],
    ]) {
      const r = await cli(argv);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: fourier-augmix ${argv[0]} preview [key=value ...]`);
      expect(r.stdout).toMatch(/\n {4}images=6 +images \(rows\) per block, one per class first \(an integer in \[1, 100\]\)\n/);
      expect(r.stdout).toMatch(/\n {4}out=runs\/preview\/ +run directory/);
    }
    const preset = await cli(['run', 'train-augsvf-cifar10', '--help']);
    expect(preset.stdout).toContain('Preset values: data=data/cifar-10-batches-bin seeds=0,1,2,3');
    const profile = await cli(['profile', '--help']);
    expect(profile.stdout).toContain('Usage: fourier-augmix profile [key=value ...]');
    expect(profile.stdout).toMatch(/\n {4}consumerMs=0 /);
    const generic = await cli(['run', '--help']);
    expect(generic.stdout).toContain('Usage: fourier-augmix run <pipeline> [overrides...]');
  });

  it('`backends` lists every backend, present or not and why, the webgpu adapter, and what auto picks', async () => {
    const text = await cli(['backends']);
    expect(text.code).toBe(0);
    const lines = text.stdout.split('\n');
    for (const name of ['tensorflow-gpu', 'webgpu', 'tensorflow', 'native', 'wasm', 'cpu'])
      expect(lines.some((l) => new RegExp(`^[+-] ${name} +\\S`).test(l))).toBe(true);
    expect(text.stdout).toMatch(/^- tensorflow-gpu +@tensorflow\/tfjs-node-gpu is not installed/m);
    expect(text.stdout).toMatch(/^\+ wasm +loads$/m);
    const json = await cli(['backends', '--json']);
    const report = JSON.parse(json.stdout) as { backends: { name: string; present: boolean; adapter?: { software: boolean } }[]; auto: string };
    expect(report.backends.map((b) => b.name)).toEqual(['tensorflow-gpu', 'webgpu', 'tensorflow', 'native', 'wasm', 'cpu']);
    expect(text.stdout).toContain(`backend=auto picks ${report.auto}`);
    const webgpu = report.backends.find((b) => b.name === 'webgpu')!;
    // CI has a software device (Mesa): present, described, and passed over by auto.
    if (webgpu.present && webgpu.adapter!.software) {
      expect(report.auto).not.toBe('webgpu');
      expect(text.stdout).toMatch(/^ {2}passed over webgpu: only a software adapter/m);
    }
    expect(webgpu.present).toBe(true);
  });

  it('suggests the nearest name for a misspelt pipeline, key or value', async () => {
    expect((await cli(['run', 'previw'])).stderr).toMatch(/^error: unknown pipeline 'previw' \(did you mean preview\?\); available: /);
    expect((await cli(['describe', 'preview', 'imges=2'])).stderr).toBe(
      "error: pipelines/preview.ts: unknown parameter 'imges' (did you mean images?) (known: data, size, skipBad, split, strategies, images, samples, seed, out)\n",
    );
    expect((await cli(['describe', 'preview', 'split=tset'])).stderr).toBe(
      'error: pipelines/preview.ts: split=tset is invalid: expected one of train, test (did you mean test?)\n',
    );
    expect((await cli(['describe', 'train', 'backend=wsam'])).stderr).toMatch(/backend=wsam is invalid: expected one of auto, .* \(did you mean wasm\?\)\n$/);
    expect((await cli(['describe', 'preview', 'strategies=Base,AugSVCC'])).stderr).toMatch(/\('AugSVCC' is not\) \(did you mean AugSVC\?\)\n$/);
    // Nothing close: no suggestion.
    expect((await cli(['describe', 'preview', 'zzzzzz=1'])).stderr).not.toContain('did you mean');
  });

  it('reports a bad override with the pipeline file and the key, without a stack', async () => {
    const unknown = await cli(['run', 'preview', 'foo=1']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(
      "error: pipelines/preview.ts: unknown parameter 'foo' (known: data, size, skipBad, split, strategies, images, samples, seed, out)\n",
    );
    const bad = await cli(['describe', 'preview', 'images=abc']);
    expect(bad.stderr).toBe('error: pipelines/preview.ts: images=abc is invalid: expected an integer in [1, 100]\n');
  });

  it('describes the resolved configuration, marking what was given', async () => {
    const r = await cli(['describe', 'preview', 'images=2', 'strategies=augsvf', 'out=/tmp/somewhere']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^preview \(pipelines\/preview\.ts\): /);
    expect(r.stdout).toMatch(/\n {2}images +2 +given\n/);
    expect(r.stdout).toMatch(/\n {2}strategies +AugSVF +given\n/);
    expect(r.stdout).toMatch(/\n {2}samples +5 +default\n/);
    expect(r.stdout).toMatch(/\n {2}out +\/tmp\/somewhere +given\n/);
  });

  it('lists every built-in pipeline with its parameters and defaults', async () => {
    const r = await cli(['list']);
    expect(r.code).toBe(0);
    for (const name of ['main', 'preview', 'profile-datapath']) expect(r.stdout).toMatch(new RegExp(`^${name}: `, 'm'));
    expect(r.stdout).toContain('images=6');
    expect(r.stdout).toContain('strategy=AugSVF');
  });

  it('trains two seeds on the bundled data and writes checkpoints, metrics and the summary over seeds', async () => {
    const out = tmp();
    const args = [
      'run',
      'train',
      'strategy=AugSF',
      'seeds=0,1',
      'limit=24',
      'depth=10',
      'widen=1',
      'epochs=1',
      'batchSize=8',
      'holdout=8',
      'evalBatch=16',
      `backend=${TRAIN_BACKEND}`,
      'workers=0',
      `out=${out}`,
    ];
    const r = await cli(args);
    expect(r.stderr).toContain(`* ${TRAIN_BACKEND}: selected`);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^AugSF on cifar10-mini\/train\[0:24\], 2 seed\(s\): test error \d+\.\d+% ± \d+\.\d+%, calibration .*summary\.md\n$/m);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { seeds: { seed: number; test: { count: number } }[] };
    expect(summary.seeds.map((s) => [s.seed, s.test.count])).toEqual([
      [0, 24],
      [1, 24],
    ]);
    // The run's config records what it ran on (with the adapter on webgpu).
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as { params: { backend: string }; backend: { name: string; adapter?: object } };
    expect(config.params.backend).toBe(TRAIN_BACKEND);
    expect(config.backend.name).toBe(TRAIN_BACKEND);
    expect(config.backend.adapter !== undefined).toBe(TRAIN_BACKEND === 'webgpu');
    for (const seed of [0, 1]) {
      for (const f of ['checkpoint.msgpack', 'best.msgpack', 'metrics.jsonl', 'result.json'])
        expect(readFileSync(join(out, `seed-${seed}`, f)).length).toBeGreaterThan(0);
    }
    // Finished runs resume to the same result; without resume the run refuses to overwrite them.
    expect((await cli(args)).stderr).toContain('already holds a checkpoint');
    const again = await cli([...args, 'resume=true']);
    expect(again.code).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'))).toEqual(summary);
  });

  it('runs a pipeline file given by path, with its overrides and run directory', async () => {
    const dir = tmp();
    // As in a user's project with this package installed: rxjs resolves from its node_modules.
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    writeFileSync(
      join(dir, 'hello.ts'),
      `import { of } from 'rxjs';
       import { definePipeline } from '${root}/src/pipeline/pipeline.ts';
       import { param, z } from '${root}/src/pipeline/params.ts';
       import { writeFileSync } from 'node:fs';
       export default definePipeline({
         name: 'hello', description: 'says hello',
         params: z.object({ who: param.string({ default: 'world', help: 'whom' }), times: param.int({ default: 1, min: 1, help: 'repeat' }) }),
         run: (p, ctx) => { writeFileSync(ctx.runDir + '/hello.txt', ('hello ' + p.who + '\\n').repeat(p.times)); return of({ type: 'summary', lines: ['said hello ' + p.times + 'x'] }); },
       });`,
    );
    const r = await cli(['run', join(dir, 'hello.ts'), 'who=tests', 'times=2', `out=${join(dir, 'run')}`], dir);
    expect(r.stderr).not.toContain('error');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('said hello 2x\n');
    expect(readFileSync(join(dir, 'run', 'hello.txt'), 'utf8')).toBe('hello tests\nhello tests\n');
    expect(JSON.parse(readFileSync(join(dir, 'run', 'config.json'), 'utf8'))).toMatchObject({
      pipeline: 'hello',
      file: 'hello.ts',
      params: { who: 'tests', times: 2 },
    });
    const bad = await cli(['run', './hello.ts', 'who='], dir);
    expect(bad.stderr).toBe('error: hello.ts: who= is invalid: expected a non-empty string\n');
  });

  it('says so when a file does not export a pipeline, or does not exist', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'plain.ts'), 'export const x = 1;\n');
    const r = await cli(['run', 'plain.ts'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: plain.ts: does not export a pipeline; expected `export default definePipeline({ name, description, params, run })`\n');
    expect((await cli(['run', './missing.ts'], dir)).stderr).toBe('error: missing.ts: pipeline file not found\n');
  });

  it('leaves unknown commands to commander, with status 2', async () => {
    const r = await cli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
  });
});
