import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CifarCReport } from '../../src/jobs/cifarCEvaluation.ts';
import { tmpDir } from '../data/tmpDir.ts';
import { cli } from '../cli/io.ts';
import { writeTestCheckpoint } from '../model/testCheckpoint.ts';

// The evaluations on webgpu (in CI a software device) against wasm: the same cells, errors and
// calibration within float32 tolerance, and the adapter recorded in config.json.
const dir = tmpDir('webgpu-eval');
const model = join(dir, 'model.msgpack');
const json = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

beforeAll(() => writeTestCheckpoint(model, 4));

type Cell = { k: number[]; error: number; calibration: number };

describe('evaluation on webgpu', () => {
  it('the Fourier grid (basis added on the GPU) gives the cells wasm gives; config.json names the adapter', async () => {
    const run = async (backend: string): Promise<Cell[]> => {
      const out = join(dir, `fourier-${backend}`);
      const r = await cli([
        'run',
        'eval-fourier',
        `model=${model}`,
        'images=20',
        'maxK=1',
        'norms=4',
        'batch=10',
        `backend=${backend}`,
        'runtime=tfjs',
        `out=${out}`,
      ]);
      expect(r.stderr).not.toContain('error:');
      expect(r.code).toBe(0);
      return json<{ cells: Cell[] }>(join(out, 'fourier.json')).cells;
    };
    const [wasm, gpu] = [await run('wasm'), await run('webgpu')];
    expect(gpu.map((c) => c.k)).toEqual(wasm.map((c) => c.k));
    gpu.forEach((c, i) => {
      // 20 images: one image's verdict is 0.05; float32 ties may flip at most one.
      expect(Math.abs(c.error - wasm[i]!.error)).toBeLessThanOrEqual(0.05 + 1e-12);
      expect(c.calibration).toBeCloseTo(wasm[i]!.calibration, 2);
    });
    expect(gpu.filter((c, i) => c.error === wasm[i]!.error).length).toBeGreaterThanOrEqual(gpu.length - 1);
    const config = json<{ backend: { name: string; adapter: { software: boolean; limits: Record<string, number> } } }>(
      join(dir, 'fourier-webgpu', 'config.json'),
    );
    expect(config.backend.name).toBe('webgpu');
    expect(config.backend.adapter.limits.maxStorageBuffersPerShaderStage).toBeGreaterThan(8);
    expect(json<{ backend: unknown }>(join(dir, 'fourier-wasm', 'config.json')).backend).toEqual({ name: 'wasm' });
  });

  it('CIFAR-C and the clean test set give the figures wasm gives', async () => {
    const cifarC = join(process.cwd(), 'test/fixtures/cifar-c');
    const run = async (backend: string): Promise<{ c: CifarCReport; clean: { error: number; calibration: number } }> => {
      const c = join(dir, `c-${backend}`);
      const r = await cli([
        'run',
        'eval-cifar10c',
        `model=${model}`,
        `cifarC=${cifarC}`,
        'corruptions=contrast,pixelate',
        `backend=${backend}`,
        'runtime=tfjs',
        'batch=4',
        `out=${c}`,
      ]);
      expect(r.code).toBe(0);
      const clean = join(dir, `clean-${backend}`);
      const e = await cli([
        'run',
        'eval-clean',
        `model=${model}`,
        'data=data/cifar10-mini',
        'images=40',
        'batch=16',
        `backend=${backend}`,
        'runtime=tfjs',
        `out=${clean}`,
      ]);
      expect(e.stderr).not.toContain('error:');
      expect(e.code).toBe(0);
      return {
        c: json<CifarCReport>(join(c, 'cifar-c.json')),
        clean: json<{ result: { error: number; calibration: number } }>(join(clean, 'test-error.json')).result,
      };
    };
    const [wasm, gpu] = [await run('wasm'), await run('webgpu')];
    expect(gpu.c.cells.map((c) => [c.corruption, c.severity])).toEqual(wasm.c.cells.map((c) => [c.corruption, c.severity]));
    gpu.c.cells.forEach((c, i) => {
      expect(c.error).toBe(wasm.c.cells[i]!.error);
      expect(c.loss).toBeCloseTo(wasm.c.cells[i]!.loss, 4);
    });
    expect(gpu.clean.error).toBe(wasm.clean.error);
    expect(gpu.clean.calibration).toBeCloseTo(wasm.clean.calibration, 4);
  });
});
