import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CifarCReport } from '../../src/jobs/cifarCEvaluation.ts';
import { openCifarC, readCorruption } from '../../src/data/cifarC.ts';
import { selectBackend } from '../../src/model/backend.ts';
import { saveCheckpoint } from '../../src/model/checkpoint.ts';
import { evaluate } from '../../src/model/evaluate.ts';
import { createWrn, type Wrn } from '../../src/model/wrn.ts';
import { cli } from '../cli/io.ts';

const fixture = join(process.cwd(), 'test/fixtures/cifar-c');
const normalize = { mean: [0.5, 0.4, 0.3], std: [0.25, 0.5, 0.2] };
let dir: string;
let model: string;
let net: Wrn;
const read = (d: string): CifarCReport => JSON.parse(readFileSync(join(d, 'cifar-c.json'), 'utf8')) as CifarCReport;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fa-cifarc-'));
  await selectBackend('wasm');
  net = createWrn({ depth: 10, widen: 1, classes: 10, seed: 6 });
  model = join(dir, 'model.msgpack');
  await saveCheckpoint(model, net, null, { epoch: 1, step: 1, best: null, fingerprint: { strategy: { name: 'AugSV', ...normalize } } });
});
afterAll(() => {
  net.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('eval-cifar10c', () => {
  it('evaluates every corruption file x severity, as the data path would, and writes the table, JSON and figures', async () => {
    const out = join(dir, 'a');
    const r = await cli(['run', 'eval-cifar10c', `model=${model}`, `cifarC=${fixture}`, 'backend=wasm', 'runtime=tfjs', 'batch=3', `out=${out}`]);
    expect(r.code).toBe(0);
    const report = read(out);
    expect(report.cells).toHaveLength(8 * 5);
    expect(report.summary.corruptions.map((c) => c.corruption)).toEqual((await openCifarC(fixture)).corruptions);
    const mean = report.cells.reduce((s, c) => s + c.error, 0) / report.cells.length;
    expect(report.summary.overall.error).toBeCloseTo(mean, 12);
    // One cell against the pool's normalisation and `evaluate` (the training code's evaluation path).
    const ds = await readCorruption(await openCifarC(fixture, { classes: Array.from({ length: 10 }, (_, i) => String(i)) }), 'contrast', 4);
    const want = await evaluate(net, ds, { normalize, batchSize: 2, workers: 0 });
    // Two images are fewer than one bin of 100: the reference variant has no bin (NaN, null in JSON).
    expect(report.cells.find((c) => c.corruption === 'contrast' && c.severity === 4)).toEqual({
      corruption: 'contrast',
      severity: 4,
      ...want,
      calibrationReference: null,
    });
    expect(want.calibrationReference).toBeNaN();
    const md = readFileSync(join(out, 'cifar-c.md'), 'utf8');
    expect(md).toContain('| corruption | error s1 | error s2 | error s3 | error s4 | error s5 | mean error | mean calibration |');
    expect(md).toMatch(/\| \*\*mean\*\* \|/);
    expect(existsSync(join(out, 'figure3-severity.png'))).toBe(true);
    expect(existsSync(join(out, 'figure2-gain.png'))).toBe(false);

    const b = join(dir, 'b');
    const withBase = await cli([
      'run',
      'eval-cifar10c',
      `model=${model}`,
      `cifarC=${fixture}`,
      'corruptions=contrast,saturate',
      'severities=5',
      `baseline=${out}`,
      'backend=wasm',
      'runtime=tfjs',
      `out=${b}`,
    ]);
    expect(withBase.code).toBe(0);
    expect(read(b).cells.map((c) => `${c.corruption}/${c.severity}`)).toEqual(['contrast/5', 'saturate/5']);
    expect(readFileSync(join(b, 'figure2-gain.png')).subarray(1, 4).toString()).toBe('PNG');
  });

  it('resumes without redoing finished cells', async () => {
    const out = join(dir, 'a');
    const lines = readFileSync(join(out, 'cells.jsonl'), 'utf8').split('\n');
    writeFileSync(join(out, 'cells.jsonl'), `${lines.slice(0, 4).join('\n')}\n${lines[4]!.slice(0, 30)}`);
    const before = read(out);
    const r = await cli(['run', 'eval-cifar10c', `model=${model}`, `cifarC=${fixture}`, 'backend=wasm', 'runtime=tfjs', 'batch=3', `out=${out}`]);
    expect(r.stderr).toContain('3 cells already done (resumed)');
    expect(read(out).cells).toEqual(before.cells);
    expect(readFileSync(join(out, 'cells.jsonl'), 'utf8').split('\n').slice(0, 4)).toEqual(lines.slice(0, 4));
  });

  it('says clearly when the folder is not CIFAR-C shaped or a corruption is absent', async () => {
    const r = await cli(['run', 'eval-cifar10c', `model=${model}`, 'cifarC=data/cifar10-mini', `out=${join(dir, 'bad')}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cifarC=data\/cifar10-mini: .*cifar10-mini: not a CIFAR-C folder: no labels\.npy/);
    const missing = await cli(['run', 'eval-cifar10c', `model=${model}`, `cifarC=${fixture}`, 'corruptions=fog', `out=${join(dir, 'bad')}`]);
    expect(missing.stderr).toContain(`corruptions=fog: fog not in ${fixture} (present: defocus_blur, zoom_blur`);
  });
  it("refuses another model's rerun into a folder whose last line was torn, changing nothing", async () => {
    const out = join(dir, 'torn');
    const args = [`cifarC=${fixture}`, 'corruptions=contrast', 'severities=1', 'backend=wasm', 'runtime=tfjs', `out=${out}`];
    expect((await cli(['run', 'eval-cifar10c', `model=${model}`, ...args])).code).toBe(0);
    // What a kill during an append leaves: a partial line without its newline.
    appendFileSync(join(out, 'cells.jsonl'), '{"type":"cell","corrupt');
    const before = ['cells.jsonl', 'cifar-c.json'].map((f) => readFileSync(join(out, f)));
    const other = join(dir, 'other.msgpack');
    const otherNet = createWrn({ depth: 10, widen: 1, classes: 10, seed: 7 });
    await saveCheckpoint(other, otherNet, null, { epoch: 1, step: 1, best: null, fingerprint: { strategy: { name: 'Base', ...normalize } } });
    otherNet.dispose();
    const r = await cli(['run', 'eval-cifar10c', `model=${other}`, ...args]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`${join(out, 'cells.jsonl')}: results of another CIFAR-C evaluation`);
    expect(['cells.jsonl', 'cifar-c.json'].map((f) => readFileSync(join(out, f)))).toEqual(before);
    // The same model resumes: the torn line is dropped, said so, and the file ends whole again.
    const again = await cli(['run', 'eval-cifar10c', `model=${model}`, ...args]);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('dropped a torn last line');
    expect(readFileSync(join(out, 'cells.jsonl'), 'utf8').endsWith('}\n')).toBe(true);
  });
});
