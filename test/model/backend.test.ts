import * as tf from '@tensorflow/tfjs-core';
import { AUTO_ORDER, BackendUnavailableError, formatBackendSelection, selectBackend } from '../../src/model/backend.ts';
import { loadNativeAddon } from '../../src/model/native/addon.ts';
import { registerWasmGradKernels } from '../../src/model/wasmKernels.ts';

// tfjs backends are process-wide within this file: every test selects the one it needs.
// IS_TEST stays off: its per-kernel leak check flags softmaxCrossEntropy's saved tensors on wasm.

/** Deterministic values in [-1, 1) (a small LCG: tests only need reproducible, varied numbers). */
function randomArray(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2147483648 - 1;
  }
  return out;
}

function maxRelDiff(got: Float32Array, want: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs(got[i]! - want[i]!));
    scale = Math.max(scale, Math.abs(want[i]!));
  }
  return diff / scale;
}

describe('selectBackend', () => {
  it('auto picks native where its addon is built, else wasm, and says why the others were not taken', async () => {
    const sel = await selectBackend('auto');
    const native = loadNativeAddon().addon != null;
    const want = native ? 'native' : 'wasm';
    expect(sel.name).toBe(want);
    expect(tf.getBackend()).toBe(want);
    expect(sel.tried.map((a) => [a.name, a.ok])).toEqual([
      ['tensorflow-gpu', false],
      ['webgpu', false],
      ['tensorflow', false],
      ['native', native],
      ...(native ? [] : [['wasm', true]]),
    ]);
    expect(sel.tried[0]!.reason).toMatch(/^@tensorflow\/tfjs-node-gpu is not installed \(.*network access/);
    // No GPU here (CI): Dawn is not even loaded, or only a software adapter answers.
    expect(sel.tried[1]!.reason).toMatch(/^(no GPU on this machine|only a software adapter .*auto never picks one)/);
    expect(sel.tried[2]!.reason).toMatch(/^@tensorflow\/tfjs-node is not installed \(it downloads libtensorflow/);
    const lines = formatBackendSelection(sel).split('\n');
    expect(lines).toHaveLength(native ? 4 : 5);
    expect(lines[0]).toMatch(/^ {2}- tensorflow-gpu: @tensorflow\/tfjs-node-gpu is not installed/);
    if (native) expect(lines[3]).toBe('  * native: selected');
    else {
      expect(lines[3]).toBe(`  - native: ${loadNativeAddon().reason}`);
      expect(lines[4]).toBe('  * wasm: selected');
    }
    expect(AUTO_ORDER).toEqual(['tensorflow-gpu', 'webgpu', 'tensorflow', 'native', 'wasm', 'cpu']);
    expect(AUTO_ORDER.at(-1)).toBe('cpu');
  });

  it('names the missing package when webgpu is asked for without Dawn installed', async () => {
    const importer = (s: string): Promise<unknown> =>
      s === 'webgpu' ? Promise.reject(Object.assign(new Error(`Cannot find package '${s}' imported from x.js`), { code: 'ERR_MODULE_NOT_FOUND' })) : import(s);
    const err = await selectBackend('webgpu', { importer }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect((err as Error).message).toBe(
      "webgpu: webgpu is not installed (optional dependencies of this package (with webgpu, Dawn's prebuilt node bindings); npm install webgpu @tensorflow/tfjs-backend-webgpu)",
    );
  });

  it('throws a clear error when tensorflow is asked for and absent, leaving the backend as it was', async () => {
    await selectBackend('cpu');
    const err = await selectBackend('tensorflow').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect((err as Error).message).toBe(
      'tensorflow: @tensorflow/tfjs-node is not installed (it downloads libtensorflow at install time; install it on a machine with network access)',
    );
    expect((err as BackendUnavailableError).backend).toBe('tensorflow');
    expect(tf.getBackend()).toBe('cpu');
  });

  it('tells a package that is installed but broken from one that is missing', async () => {
    const importer = async (specifier: string): Promise<unknown> => {
      if (specifier === '@tensorflow/tfjs-node') {
        throw new Error('The Node.js native addon module (tfjs_binding.node) can not be found at /x/lib/napi-v8/tfjs_binding.node');
      }
      return import(specifier);
    };
    await expect(selectBackend('tensorflow', { importer })).rejects.toThrow(
      'tensorflow: @tensorflow/tfjs-node failed to load: The Node.js native addon module (tfjs_binding.node) can not be found',
    );
  });

  it('rejects an unknown name with the allowed values', async () => {
    await expect(selectBackend('gpu' as never)).rejects.toThrow(
      new RangeError("Unknown backend 'gpu'; expected one of auto, tensorflow-gpu, webgpu, tensorflow, native, wasm, cpu"),
    );
  });

  it('runs on cpu, and selecting it twice is a no-op', async () => {
    const first = await selectBackend('cpu');
    expect(first).toEqual({ name: 'cpu', tried: [{ name: 'cpu', ok: true, reason: expect.stringMatching(/^selected/) }] });
    const backend = tf.engine().backend;
    const again = await selectBackend('cpu');
    expect(again.tried[0]!.reason).toBe('selected (already current)');
    expect(tf.engine().backend).toBe(backend);
    const before = tf.memory().numTensors;
    const sum = tf.tidy(() => tf.sum(tf.tensor1d([1, 2, 3])).arraySync());
    expect(sum).toBe(6);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('registers the wasm gradient kernels once', async () => {
    await selectBackend('wasm');
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    const input = tf.getKernel('Conv2DBackpropInput', 'wasm');
    expect(registerWasmGradKernels()).toBe(false);
    await selectBackend('cpu');
    await selectBackend('wasm');
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')).toBe(input);
  });
});

describe('wasm conv gradient kernels', () => {
  const cases: { name: string; n: number; hw: number; ci: number; co: number; k: number; stride: number; pad: 'same' | 'valid' }[] = [];
  for (const n of [1, 3]) {
    cases.push({ name: `3x3 stride 1 same, batch ${n}`, n, hw: 8, ci: 4, co: 6, k: 3, stride: 1, pad: 'same' });
    cases.push({ name: `3x3 stride 2 same, batch ${n}`, n, hw: 8, ci: 4, co: 6, k: 3, stride: 2, pad: 'same' });
    cases.push({ name: `1x1 stride 2 valid, batch ${n}`, n, hw: 8, ci: 4, co: 6, k: 1, stride: 2, pad: 'valid' });
  }
  // An odd size makes 'same' with stride 2 pad asymmetrically and 'valid' drop a row.
  cases.push({ name: '3x3 stride 2 same, odd size 7x7, batch 2', n: 2, hw: 7, ci: 3, co: 5, k: 3, stride: 2, pad: 'same' });

  /** dL/dx and dL/dw of L = Σ conv2d(x, w) · g on the current backend. */
  function convGrads(c: (typeof cases)[number], seed: number): { dx: Float32Array; dw: Float32Array } {
    const before = tf.memory().numTensors;
    const oh = c.pad === 'same' ? Math.ceil(c.hw / c.stride) : Math.floor((c.hw - c.k) / c.stride) + 1;
    const out = tf.tidy(() => {
      const x = tf.tensor4d(randomArray(c.n * c.hw * c.hw * c.ci, seed), [c.n, c.hw, c.hw, c.ci]);
      const w = tf.tensor4d(randomArray(c.k * c.k * c.ci * c.co, seed + 1), [c.k, c.k, c.ci, c.co]);
      const g = tf.tensor4d(randomArray(c.n * oh * oh * c.co, seed + 2), [c.n, oh, oh, c.co]);
      const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad), g)))([x, w]);
      return { dx: dx!.dataSync() as Float32Array, dw: dw!.dataSync() as Float32Array };
    });
    expect(tf.memory().numTensors).toBe(before);
    return out;
  }

  it.each(cases)('match the cpu backend: $name', async (c) => {
    await selectBackend('cpu');
    const want = convGrads(c, 11);
    await selectBackend('wasm');
    const got = convGrads(c, 11);
    expect(maxRelDiff(got.dx, want.dx)).toBeLessThan(1e-4);
    expect(maxRelDiff(got.dw, want.dw)).toBeLessThan(1e-4);
  });
});

describe('training on wasm', () => {
  it('a tiny conv net lowers its loss over a few SGD steps, leaking no tensor', async () => {
    await selectBackend('wasm');
    const before = tf.memory().numTensors;
    const n = 8;
    const x = tf.tensor4d(randomArray(n * 8 * 8 * 3, 5), [n, 8, 8, 3]);
    const y = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 1, 0, 1, 1, 0, 1, 0], 'int32'), 2));
    const param = <R extends tf.Rank>(init: () => tf.Tensor<R>): tf.Variable<R> => {
      const t = tf.tidy(init);
      const v = tf.variable(t);
      t.dispose();
      return v;
    };
    const w1 = param(() => tf.mul(tf.tensor4d(randomArray(3 * 3 * 3 * 8, 6), [3, 3, 3, 8]), 0.5) as tf.Tensor4D);
    const w2 = param(() => tf.mul(tf.tensor4d(randomArray(3 * 3 * 8 * 8, 7), [3, 3, 8, 8]), 0.3) as tf.Tensor4D);
    const wd = param(() => tf.mul(tf.tensor2d(randomArray(8 * 2, 8), [8, 2]), 0.3) as tf.Tensor2D);
    const bd = param(() => tf.zeros([2]) as tf.Tensor1D);
    const vars: tf.Variable[] = [w1, w2, wd, bd];
    const lossFn = (): tf.Scalar => {
      const h1 = tf.relu(tf.conv2d(x, w1, 1, 'same'));
      const h2 = tf.relu(tf.conv2d(h1, w2, 2, 'same'));
      const logits = tf.add(tf.matMul(tf.mean(h2, [1, 2]), wd), bd);
      return tf.losses.softmaxCrossEntropy(y, logits);
    };
    const losses: number[] = [];
    for (let step = 0; step < 8; step++) {
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(lossFn);
        losses.push(value.dataSync()[0]!);
        for (const v of vars) v.assign(tf.sub(v, tf.mul(grads[v.name]!, 0.5)));
      });
    }
    tf.dispose([x, y, ...vars]);
    expect(tf.memory().numTensors).toBe(before);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.9);
  });
});
