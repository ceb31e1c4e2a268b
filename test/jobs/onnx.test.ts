import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CifarCReport } from '../../src/jobs/cifarCEvaluation.ts';
import { tmpDir } from '../data/tmpDir.ts';
import { cli } from '../cli/io.ts';
import { writeTestCheckpoint } from '../model/testCheckpoint.ts';

const dir = tmpDir('cli-onnx');
const ck = join(dir, 'model.msgpack');
const onnx = join(dir, 'model.onnx');
const grid = ['images=12', 'maxK=1', 'norms=3', 'batch=5', 'backend=wasm'];
const cells = (d: string): { key: string; error: number; loss: number }[] =>
  (JSON.parse(readFileSync(join(d, 'fourier.json'), 'utf8')) as { cells: { key: string; error: number; loss: number }[] }).cells;

beforeAll(async () => {
  await writeTestCheckpoint(ck, 9, 'AugSF');
  const r = await cli(['export', ck, '--onnx', onnx]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toContain(`wrote ${onnx}`);
});

describe('model=<file.onnx> in the evaluation pipelines', () => {
  it('eval-fourier: the exported checkpoint gives the same per-cell errors as the checkpoint; the results name the ONNX file', async () => {
    const [a, b] = [join(dir, 'fourier-ck'), join(dir, 'fourier-onnx')];
    expect((await cli(['run', 'eval-fourier', `model=${ck}`, ...grid, 'runtime=tfjs', `out=${a}`])).code).toBe(0);
    const r = await cli(['run', 'eval-fourier', `model=${onnx}`, ...grid, `out=${b}`]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('model: onnxruntime-node CPU');
    expect(r.stderr).toContain('AugSF (ONNX)');
    const [ca, cb] = [cells(a), cells(b)];
    expect(cb.map((c) => c.key)).toEqual(ca.map((c) => c.key));
    expect(cb.map((c) => c.error)).toEqual(ca.map((c) => c.error));
    cb.forEach((c, i) => expect(Math.abs(c.loss - ca[i]!.loss)).toBeLessThan(1e-5));
    const fp = (JSON.parse(readFileSync(join(b, 'fourier.json'), 'utf8')) as { fingerprint: { model: Record<string, unknown> } }).fingerprint.model;
    expect(fp).toEqual({
      sha256: createHash('sha256').update(readFileSync(onnx)).digest('hex'),
      strategy: 'AugSF',
      classes: 10,
      format: 'onnx',
      input: { layout: 'nchw', channelOrder: 'rgb', scale: 1 },
    });
    expect(readFileSync(join(b, 'table2.md'), 'utf8')).toContain('ONNX file sha256');
  });

  it('runtime=onnxruntime (and auto, on a CPU backend) runs a checkpoint on onnxruntime: same cells, same checkpoint identity as on tfjs', async () => {
    const fingerprint = (d: string): unknown => (JSON.parse(readFileSync(join(d, 'fourier.json'), 'utf8')) as { fingerprint: unknown }).fingerprint;
    const tfjs = join(dir, 'fourier-ck');
    for (const runtime of ['onnxruntime', 'auto']) {
      const out = join(dir, `fourier-ck-${runtime}`);
      const r = await cli(['run', 'eval-fourier', `model=${ck}`, ...grid, `runtime=${runtime}`, `out=${out}`]);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('model: onnxruntime-node CPU');
      expect(r.stderr).not.toContain('* wasm');
      expect(cells(out).map((c) => c.error)).toEqual(cells(tfjs).map((c) => c.error));
      cells(out).forEach((c, i) => expect(Math.abs(c.loss - cells(tfjs)[i]!.loss)).toBeLessThan(1e-5));
      expect(fingerprint(out)).toEqual(fingerprint(tfjs));
    }
    const onTfjs = await cli(['run', 'eval-clean', `model=${ck}`, 'images=4', 'backend=wasm', 'runtime=tfjs', `out=${join(dir, 'clean-tfjs')}`]);
    expect(onTfjs.code).toBe(0);
    expect(onTfjs.stderr).toContain('* wasm');
    expect(onTfjs.stderr).not.toContain('onnxruntime');
  });

  it('eval-fourier on an ONNX model: two shards into one folder, one interrupted and resumed, give the unsharded cells', async () => {
    const s = join(dir, 'fourier-shards');
    const shard = (i: number) => cli(['run', 'eval-fourier', `model=${onnx}`, ...grid, `shard=${i}/2`, `out=${s}`]);
    expect((await shard(0)).code).toBe(0);
    const file = join(s, 'cells-0-of-2.jsonl');
    const lines = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l);
    writeFileSync(file, `${lines.slice(0, 3).join('\n')}\n`); // the header and two cells survive
    const resumed = await shard(0);
    expect(resumed.stderr).toContain('2 already in');
    expect((await shard(1)).code).toBe(0);
    const strip = (d: string) => cells(d).map(({ key, error, loss }) => ({ key, error, loss }));
    expect(strip(s)).toEqual(strip(join(dir, 'fourier-onnx')));
  });

  it('eval-cifar10c and eval-clean run an ONNX model; eval-clean a torch model with its own statistics', async () => {
    const c = join(dir, 'cifar-c');
    const r = await cli([
      'run',
      'eval-cifar10c',
      `model=${onnx}`,
      `cifarC=${join(process.cwd(), 'test/fixtures/cifar-c')}`,
      'corruptions=contrast,fog',
      'severities=1,5',
      `out=${c}`,
    ]);
    expect(r.stderr).toContain('fog not in');
    const ok = await cli([
      'run',
      'eval-cifar10c',
      `model=${onnx}`,
      `cifarC=${join(process.cwd(), 'test/fixtures/cifar-c')}`,
      'corruptions=contrast',
      'severities=1,5',
      `out=${c}`,
    ]);
    expect(ok.code).toBe(0);
    const report = JSON.parse(readFileSync(join(c, 'cifar-c.json'), 'utf8')) as CifarCReport;
    expect(report.cells.map((x) => `${x.corruption}/${x.severity}`)).toEqual(['contrast/1', 'contrast/5']);
    expect(report.model).toMatchObject({ path: onnx, strategy: 'AugSF', format: 'onnx' });

    const e = join(dir, 'clean');
    const torch = join(process.cwd(), 'test/fixtures/onnx/wrn-10-1.onnx');
    const clean = await cli(['run', 'eval-clean', `model=${torch}`, 'mean=0.4914,0.4822,0.4465', 'std=0.2470,0.2435,0.2616', 'images=8', `out=${e}`]);
    expect(clean.code).toBe(0);
    const written = JSON.parse(readFileSync(join(e, 'test-error.json'), 'utf8')) as {
      images: number;
      normalize: unknown;
      result: { count: number; error: number };
    };
    expect(written).toMatchObject({ images: 8, normalize: { mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616] }, result: { count: 8 } });
    // The fixture's torch logits on these 8 images: their argmax against the labels.
    const ref = JSON.parse(readFileSync('test/fixtures/onnx/wrn-10-1.json', 'utf8')) as { labels: number[]; logits: number[][] };
    const wrong = ref.logits.filter((l, i) => l.indexOf(Math.max(...l)) !== ref.labels[i]).length;
    expect(written.result.error).toBe(wrong / 8);
    expect(readFileSync(join(e, 'test-error.md'), 'utf8')).toContain('# wrn-10-1 (ONNX): test error');
  });

  it('bad values and misplaced options are errors naming the key or the file', async () => {
    const e = join(dir, 'bad');
    const mean = await cli(['run', 'eval-clean', `model=${onnx}`, 'mean=0.5,x,0.5', `out=${e}`]);
    expect(mean.code).toBe(2);
    expect(mean.stderr).toContain("mean=0.5,x,0.5: 'x' is not a number");
    const layout = await cli(['run', 'eval-clean', `model=${onnx}`, 'layout=chw', `out=${e}`]);
    expect(layout.code).toBe(2);
    expect(layout.stderr).toMatch(/layout.*nchw, nhwc/);
    const onCheckpoint = await cli(['run', 'eval-clean', `model=${ck}`, 'std=0.2,0.2,0.2', `out=${e}`]);
    expect(onCheckpoint.code).toBe(1);
    expect(onCheckpoint.stderr).toContain(`std=: only for ONNX models; checkpoint ${ck} carries its own normalisation`);
    const classes = join(process.cwd(), 'test/fixtures/onnx/bad-classes.onnx');
    const wrong = await cli(['run', 'eval-fourier', `model=${classes}`, `out=${e}`]);
    expect(wrong.stderr).toContain(`error: model ${classes}: output 'logits' has shape [batch, 7]: 7 classes, the data has 10`);
    const missing = await cli(['export', ck]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('export: missing --onnx <file>');
  });
});
