import * as tf from '@tensorflow/tfjs-core';
import { formatBackendSelection, selectBackend, type BackendSelection } from '../../src/model/backend.ts';
import { isSoftwareAdapter } from '../../src/model/webgpu/gpuAdapter.ts';
import { GpuError, webgpuDevice } from '../../src/model/webgpu/webgpuBackend.ts';
import { Sgd } from '../../src/model/sgd.ts';
import { trainStep } from '../../src/model/trainStep.ts';
import { createWrn } from '../../src/model/wrn.ts';
import { randomArray } from './randomArray.ts';

// The WebGPU backend on whatever adapter Dawn finds: in CI a software device (Mesa's llvmpipe
// through OpenGL ES; .ci/run installs it). Without any adapter these fail, with the reason.
const probe: Promise<BackendSelection | Error> = selectBackend('webgpu').catch((err: Error) => err);
let selection: BackendSelection;
beforeAll(async () => {
  const s = await probe;
  if (s instanceof Error) throw s;
  selection = s;
});

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

describe('the webgpu backend', () => {
  it('is selected by name with its adapter described; a software adapter says so', () => {
    expect(selection.name).toBe('webgpu');
    const adapter = selection.adapter!;
    expect(adapter.software).toBe(isSoftwareAdapter(adapter));
    const line = formatBackendSelection(selection);
    expect(line).toContain('* webgpu: selected');
    if (adapter.software) expect(line).toMatch(/software adapter .*for testing/);
  });

  it('requests the adapter limits, not WebGPU defaults (8 storage buffers per stage would break addN)', () => {
    const device = webgpuDevice()!;
    expect(device.limits.maxStorageBuffersPerShaderStage).toBe(selection.adapter!.limits.maxStorageBuffersPerShaderStage);
    expect(device.limits.maxStorageBufferBindingSize).toBe(selection.adapter!.limits.maxStorageBufferBindingSize);
    expect(device.limits.maxStorageBuffersPerShaderStage).toBeGreaterThan(8);
  });

  it.each([2, 12, 40])('sums %i tensors with addN (more than the device binds at once is split)', async (n) => {
    await selectBackend('webgpu');
    const xs = Array.from({ length: n }, (_, i) => tf.fill([1000], i + 1));
    const before = tf.memory().numTensors;
    const sum = tf.addN(xs);
    const values = await sum.data();
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(values[0]).toBe((n * (n + 1)) / 2);
    expect(values[999]).toBe((n * (n + 1)) / 2);
    tf.dispose([...xs, sum]);
  });

  it('refuses a synchronous read of GPU data with what to do instead', async () => {
    await selectBackend('webgpu');
    // Computed on the GPU (small tensors made from values may be computed on the CPU instead).
    const x = tf.fill([1000], 2);
    const y = tf.mul(x, 3);
    expect(() => y.dataSync()).toThrow('webgpu: a tensor on the GPU cannot be read synchronously in Node (dataSync, arraySync); use await tensor.data()');
    expect((await y.data())[999]).toBe(6);
    tf.dispose([x, y]);
  });

  it('trains a WRN like the cpu backend: same losses and weights within float32 tolerance', async () => {
    const curve = async (backend: 'cpu' | 'webgpu'): Promise<{ losses: number[]; params: Float32Array[] }> => {
      await selectBackend(backend);
      const net = createWrn({ depth: 10, widen: 1, classes: 10, seed: 3 });
      const sgd = new Sgd(net.params, { momentum: 0.9, nesterov: true, weightDecay: 5e-4 });
      const images = tf.tensor(randomArray(3 * 4 * 8 * 8 * 3, 60), [12, 8, 8, 3]) as tf.Tensor4D;
      const labels = tf.tensor1d([0, 1, 2, 3], 'int32');
      const tb = { epoch: 0, step: 0, index: 0, size: 4, views: 3, images, labels, dispose: () => undefined };
      const losses: number[] = [];
      for (let i = 0; i < 3; i++) losses.push((await trainStep(net, sgd, tb, 0.05, 4, `s${i}`)).loss);
      const params = await Promise.all(net.params.map(async (p) => (await p.data()).slice() as Float32Array));
      tf.dispose([images, labels]);
      sgd.dispose();
      net.dispose();
      return { losses, params };
    };
    const cpu = await curve('cpu');
    const gpu = await curve('webgpu');
    gpu.losses.forEach((l, i) => expect(l).toBeCloseTo(cpu.losses[i]!, 4));
    expect(Math.max(...gpu.params.map((p, i) => maxAbsDiff(p, cpu.params[i]!)))).toBeLessThan(1e-4);
  });

  // Last in this file: the device stays failed for the rest of the process, as a run would stop.
  it('turns a GPU error into an error of the run at the next read, and keeps refusing', async () => {
    await selectBackend('webgpu');
    const x = tf.tensor1d([1, 2, 3]);
    expect(Array.from(await x.data())).toEqual([1, 2, 3]);
    const device = webgpuDevice() as unknown as { createBuffer(d: { size: number; usage: number }): unknown };
    // Larger than any device allows: a validation error, which tfjs would never look at.
    device.createBuffer({ size: 2 ** 52, usage: 0x80 });
    const y = tf.add(x, 1);
    await expect(y.data()).rejects.toThrow(GpuError);
    await expect(tf.mul(x, 2).data()).rejects.toThrow(/WebGPU validation error: .*results computed after a GPU error are not used/);
    tf.dispose([x, y]);
  });
});

describe('webgpu under auto', () => {
  it('is never picked on a software adapter, with the reason', async () => {
    const sel = await selectBackend('auto');
    const webgpu = sel.tried.find((a) => a.name === 'webgpu')!;
    if (selection.adapter!.software) {
      expect(sel.name).not.toBe('webgpu');
      expect(webgpu.ok).toBe(false);
      expect(webgpu.reason).toMatch(/^(only a software adapter .* auto never picks one|no GPU on this machine)/);
    } else expect(sel.name === 'webgpu' || sel.name === 'tensorflow-gpu').toBe(true);
  });
});
