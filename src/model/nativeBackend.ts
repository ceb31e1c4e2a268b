import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { createRequire } from 'node:module';
import os from 'node:os';
import { packageFile } from '../packageFiles.ts';

/*
 * The 'native' tfjs backend: the cpu backend (its tensors are plain JS typed arrays) with the
 * kernels that dominate a WRN training step replaced by calls into our oneDNN addon (native/,
 * built by `npm ci` where Debian's libdnnl-dev is installed). The addon reads and writes the
 * tensors' own Float32Arrays in place; JS only allocates the outputs. Every other kernel is the
 * cpu backend's own, registered again under 'native', so every tfjs op works.
 */

export const NATIVE_BACKEND = 'native';
/** Where the addon's loader lives (native/ in this repository, built by `npm ci` when it can be). */
export const NATIVE_PACKAGE = 'native/index.cjs';
const LOADER = packageFile(NATIVE_PACKAGE);

/** The addon's functions (native/src/addon.cc). Arrays are Float32Arrays read or written in place. */
export interface NativeAddon {
  convForward(x: Float32Array, w: Float32Array, y: Float32Array, params: number[], bias: Float32Array | null, act: number, alpha: number): void;
  convBackwardData(dy: Float32Array, w: Float32Array, dx: Float32Array, params: number[]): void;
  convBackwardWeights(x: Float32Array, dy: Float32Array, dw: Float32Array, params: number[]): void;
  matmul(a: Float32Array, b: Float32Array, c: Float32Array, params: number[]): void;
  binary(op: number, a: Float32Array, aShape: number[], b: Float32Array, bShape: number[], out: Float32Array, outShape: number[]): void;
  unary(op: number, x: Float32Array, y: Float32Array, alpha: number): void;
  reduce(op: number, x: Float32Array, shape: number[], axes: number[], out: Float32Array): void;
  transpose(x: Float32Array, shape: number[], perm: number[], out: Float32Array): void;
  bnTrainForward(
    x: Float32Array,
    gamma: Float32Array,
    beta: Float32Array,
    y: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    rows: number,
    channels: number,
    eps: number,
    relu: number,
  ): void;
  bnTrainBackward(
    x: Float32Array,
    dy: Float32Array,
    gamma: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    y: Float32Array | null,
    dx: Float32Array,
    dgamma: Float32Array,
    dbeta: Float32Array,
    rows: number,
    channels: number,
    eps: number,
  ): void;
  scaleShift(x: Float32Array, scale: Float32Array, shift: Float32Array, y: Float32Array, rows: number, channels: number, relu: number): void;
  setThreads(n: number): void;
  getThreads(): number;
  info(): string;
  cacheSize(): number;
  /** A Float32Array of n elements in 2 MiB-aligned memory advised for transparent huge pages; contents arbitrary. */
  allocFloat32(n: number): Float32Array;
}

type Loaded = { addon: NativeAddon; reason: null } | { addon: null; reason: string };
let loaded: Loaded | null = null;

/**
 * Loads the addon once. Never throws: `reason` says why it is unavailable (package missing, build
 * skipped because oneDNN's headers were absent, or a load error), in one line.
 */
export function loadNativeAddon(): Loaded {
  if (loaded) return loaded;
  if (process.env.FA_NATIVE_DISABLE === '1') return (loaded = { addon: null, reason: 'disabled by FA_NATIVE_DISABLE=1' });
  // OpenMP threads that sleep when idle instead of spinning (read once, as libgomp loads). On a
  // shared or busy machine a spinning thread holds a core another process needs; a WRN-40-2 step
  // at 2 threads under load ran at half speed with libgomp's default spinning.
  process.env.OMP_WAIT_POLICY ??= 'passive';
  let mod: { addon: NativeAddon | null; reason: string | null };
  try {
    mod = createRequire(import.meta.url)(LOADER) as typeof mod;
  } catch (err) {
    return (loaded = { addon: null, reason: `${NATIVE_PACKAGE} failed to load: ${String((err as Error).message ?? err).split('\n', 1)[0]}` });
  }
  loaded = mod.addon ? { addon: mod.addon, reason: null } : { addon: null, reason: mod.reason ?? 'the addon is not built' };
  return loaded;
}

/** Arrays below this many elements are left to V8 (cheap to allocate on its heap). */
const MIN_POOLED = 4096;
/** Outputs of at least this many elements (4 MiB) are allocated on huge pages by the addon. */
const MIN_HUGE = 1 << 20;

/**
 * The backend class: the cpu backend's storage and kernels, with the heavy kernels native.
 *
 * It also recycles the Float32Arrays its native kernels allocate. A fresh large typed array costs
 * a page fault per 4 KiB page on first write, and for a large convolution output the faults can
 * cost several times the convolution itself. An
 * array goes back to the pool when its tensor's data is disposed, but only if this backend
 * allocated it and it never left the backend: `readSync`/`read` (dataSync and friends hand the
 * array itself to the caller) and any kernel whose output shares an input's buffer (the cpu
 * kernels Slice, Complex, Real, Imag do) disown it for good.
 */
export class NativeBackend extends MathBackendCPU {
  private readonly pool = new Map<number, Float32Array[]>();
  private readonly owned = new WeakSet<Float32Array>();
  private pooled = 0;
  /**
   * Most float32 elements kept in the pool: FA_NATIVE_POOL_MB, default a quarter of the machine's
   * memory up to 8 GiB. It must hold a whole step's outputs (gigabytes for a WRN-40-2 JSD step):
   * whatever does not fit is allocated fresh, with its page faults, every step.
   */
  readonly poolLimit = Number(process.env.FA_NATIVE_POOL_MB ?? Math.min(os.totalmem() / 4 / 2 ** 20, 8192)) * 2 ** 18;

  constructor(readonly addon: NativeAddon) {
    super();
    // The cpu backend's first write prints "looks like you are running TensorFlow.js in Node.js
    // ... install our node backend": not advice for this one.
    (this as unknown as { firstUse: boolean }).firstUse = false;
  }

  /** A Float32Array of n elements for a kernel output; its contents are arbitrary. */
  alloc(n: number): Float32Array {
    if (n < MIN_POOLED) return new Float32Array(n);
    const reused = this.pool.get(n)?.pop();
    if (reused) {
      this.pooled -= n;
      return reused;
    }
    const a = n >= MIN_HUGE ? this.addon.allocFloat32(n) : new Float32Array(n);
    this.owned.add(a);
    return a;
  }

  /** Elements now held in the pool (for tests). */
  get pooledElements(): number {
    return this.pooled;
  }

  private disown(values: unknown): void {
    this.owned.delete(values as Float32Array);
  }

  override disposeData(dataId: object, force = false): boolean {
    // Membership in `owned`, not instanceof: the addon's arrays belong to the main realm, which
    // is not the realm of code run under jest's VM.
    const values = (this.data.has(dataId) ? this.data.get(dataId).values : undefined) as Float32Array | undefined;
    const gone = super.disposeData(dataId, force);
    if (gone && values && this.owned.has(values) && this.pooled + values.length <= this.poolLimit) {
      let list = this.pool.get(values.length);
      if (list == null) this.pool.set(values.length, (list = []));
      list.push(values);
      this.pooled += values.length;
    }
    return gone;
  }

  override readSync(dataId: object): tf.backend_util.BackendValues {
    if (this.data.has(dataId)) this.disown(this.data.get(dataId).values);
    return super.readSync(dataId);
  }

  override read(dataId: object): Promise<tf.backend_util.BackendValues> {
    if (this.data.has(dataId)) this.disown(this.data.get(dataId).values);
    return super.read(dataId);
  }

  /** After a kernel: disowns every input array that an output shares a buffer with. */
  checkAliases(inputs: Record<string, TensorInfo | undefined>, result: TensorInfo | TensorInfo[]): void {
    const mine: Float32Array[] = [];
    const ids = new Set<object>();
    for (const t of Object.values(inputs)) {
      if (t == null || !this.data.has(t.dataId)) continue;
      ids.add(t.dataId);
      const v = this.data.get(t.dataId).values;
      if (this.owned.has(v as Float32Array)) mine.push(v as Float32Array);
    }
    if (mine.length === 0) return;
    const outs = Array.isArray(result) ? result : [result];
    const buffers: ArrayBufferLike[] = [];
    const collect = (t: TensorInfo): void => {
      // The same dataId (Reshape, Identity) is reference-counted: sharing it is safe.
      if (ids.has(t.dataId) || !this.data.has(t.dataId)) return;
      const d = this.data.get(t.dataId);
      if (d.values != null && ArrayBuffer.isView(d.values)) buffers.push(d.values.buffer);
      if (d.complexTensorInfos) {
        collect(d.complexTensorInfos.real);
        collect(d.complexTensorInfos.imag);
      }
    };
    outs.forEach(collect);
    for (const v of mine) if (buffers.includes(v.buffer)) this.owned.delete(v);
  }

  override dispose(): void {
    this.pool.clear();
    this.pooled = 0;
    super.dispose();
  }
}

/** Threads the native kernels use (oneDNN and our loops share one OpenMP pool). */
export function setNativeThreads(n: number): void {
  const { addon } = loadNativeAddon();
  if (addon == null) throw new Error('setNativeThreads: the native backend is not available');
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`threads must be an integer >= 1; got ${n}`);
  addon.setThreads(n);
}

export function getNativeThreads(): number | null {
  return loadNativeAddon().addon?.getThreads() ?? null;
}

let registered = false;

/**
 * Registers the 'native' backend and its kernels with tfjs, once. Returns false (registering
 * nothing) when the addon is unavailable; `loadNativeAddon().reason` says why. Threads start at
 * the machine's cores (`setNativeThreads`, or `selectBackend`'s `threads`, changes them).
 */
export function registerNativeBackend(): boolean {
  const { addon } = loadNativeAddon();
  if (addon == null) return false;
  if (registered) return true;
  addon.setThreads(os.availableParallelism());
  tf.registerBackend(NATIVE_BACKEND, () => new NativeBackend(addon), 1);
  const overrides = nativeKernels(addon);
  const names = new Set(overrides.map((k) => k.kernelName));
  for (const k of tf.getKernelsForBackend('cpu')) {
    if (names.has(k.kernelName)) continue;
    tf.registerKernel({ ...k, backendName: NATIVE_BACKEND, kernelFunc: checked(k.kernelFunc) });
  }
  for (const k of overrides) tf.registerKernel(k);
  registerFusedBnGradients();
  registered = true;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Kernels

type Backend = NativeBackend;
const CPU = 'cpu';

function f32(b: Backend, t: TensorInfo): Float32Array {
  return b.data.get(t.dataId).values as Float32Array;
}

function out(b: Backend, shape: number[], values: Float32Array): TensorInfo {
  return b.makeTensorInfo(shape, 'float32', values);
}

const size = (shape: readonly number[]): number => shape.reduce((a, c) => a * c, 1);
const allF32 = (...ts: (TensorInfo | undefined)[]): boolean => ts.every((t) => t == null || t.dtype === 'float32');

/** The cpu kernel of `name`, for the cases the native one does not cover. */
function cpuKernel(name: string): KernelFunc {
  const k = tf.getKernel(name, CPU);
  if (k == null) throw new Error(`cpu kernel ${name} is not registered`);
  return k.kernelFunc;
}

/** A cpu kernel run on 'native': its outputs may share its inputs' buffers (see NativeBackend). */
function checked(kernelFunc: KernelFunc): KernelFunc {
  return (args) => {
    const r = kernelFunc(args);
    (args.backend as Backend).checkAliases(args.inputs as Record<string, TensorInfo | undefined>, r as TensorInfo | TensorInfo[]);
    return r;
  };
}

/** A native kernel that calls `fn`, or the cpu kernel when `fn` returns null. */
function kernel(
  name: string,
  fn: (inputs: Record<string, TensorInfo | undefined>, b: Backend, attrs: NamedAttrMap) => TensorInfo | TensorInfo[] | null,
): KernelConfig {
  const fallback = checked(cpuKernel(name));
  return {
    kernelName: name,
    backendName: NATIVE_BACKEND,
    kernelFunc: (args) => {
      const r = fn(args.inputs as Record<string, TensorInfo | undefined>, args.backend as Backend, (args.attrs ?? {}) as NamedAttrMap);
      return r ?? fallback(args);
    },
  };
}

function convParams(info: tf.backend_util.Conv2DInfo): number[] {
  const p = info.padInfo;
  return [
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.filterHeight,
    info.filterWidth,
    info.outChannels,
    info.outHeight,
    info.outWidth,
    info.strideHeight,
    info.strideWidth,
    info.dilationHeight,
    info.dilationWidth,
    p.top,
    p.left,
    p.bottom,
    p.right,
  ];
}

const ACTIVATIONS: Record<string, number> = { linear: 0, relu: 1, relu6: 2, leakyrelu: 3, elu: 4, sigmoid: 5 };

const BINARY: Record<string, number> = { Add: 0, Sub: 1, Multiply: 2, RealDiv: 3, Maximum: 4, Minimum: 5, SquaredDifference: 6 };
const UNARY: Record<string, number> = { Relu: 0, Step: 1, Neg: 2, Exp: 3, Log: 4, Sqrt: 5, Rsqrt: 6, Square: 7, Abs: 8, Relu6: 9, Sigmoid: 10, Tanh: 11 };
const REDUCE: Record<string, number> = { Sum: 0, Mean: 1, Max: 2, Min: 3 };

function nativeKernels(addon: NativeAddon): KernelConfig[] {
  const ks: KernelConfig[] = [];

  const conv = (
    x: TensorInfo,
    filter: TensorInfo,
    attrs: NamedAttrMap,
    b: Backend,
    bias: TensorInfo | undefined,
    act: number,
    alpha: number,
  ): TensorInfo | null => {
    const a = attrs as unknown as tf.Conv2DAttrs;
    if (a.dataFormat === 'NCHW' || !allF32(x, filter, bias) || x.shape.length !== 4) return null;
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filter.shape as [number, number, number, number],
      a.strides,
      a.dilations,
      a.pad,
      a.dimRoundingMode,
      false,
      'channelsLast',
    );
    if (size(info.outShape) === 0 || size(x.shape) === 0) return null;
    const y = b.alloc(size(info.outShape));
    addon.convForward(f32(b, x), f32(b, filter), y, convParams(info), bias ? f32(b, bias) : null, act, alpha);
    return out(b, info.outShape, y);
  };

  ks.push(kernel('Conv2D', ({ x, filter }, b, attrs) => conv(x!, filter!, attrs, b, undefined, 0, 0)));

  ks.push(
    kernel('FusedConv2D', ({ x, filter, bias, preluActivationWeights }, b, attrs) => {
      const a = attrs as unknown as tf.FusedConv2DAttrs;
      const act = ACTIVATIONS[a.activation ?? 'linear'];
      if (act == null || preluActivationWeights != null) return null;
      const co = filter!.shape[3]!;
      if (bias != null && size(bias.shape) !== co) return null;
      return conv(x!, filter!, attrs, b, bias, act, a.leakyreluAlpha ?? 0.2);
    }),
  );

  ks.push(
    kernel('Conv2DBackpropInput', ({ dy, filter }, b, attrs) => {
      const a = attrs as unknown as tf.Conv2DBackpropInputAttrs;
      if (a.dataFormat === 'NCHW' || !allF32(dy, filter)) return null;
      const info = tf.backend_util.computeConv2DInfo(
        a.inputShape,
        filter!.shape as [number, number, number, number],
        a.strides,
        1,
        a.pad,
        a.dimRoundingMode,
        false,
        'channelsLast',
      );
      if (size(a.inputShape) === 0 || size(dy!.shape) === 0) return null;
      const dx = b.alloc(size(a.inputShape));
      addon.convBackwardData(f32(b, dy!), f32(b, filter!), dx, convParams(info));
      return out(b, [...a.inputShape], dx);
    }),
  );

  ks.push(
    kernel('Conv2DBackpropFilter', ({ x, dy }, b, attrs) => {
      const a = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
      if (a.dataFormat === 'NCHW' || !allF32(x, dy)) return null;
      const info = tf.backend_util.computeConv2DInfo(
        x!.shape as [number, number, number, number],
        a.filterShape,
        a.strides,
        1,
        a.pad,
        a.dimRoundingMode,
        false,
        'channelsLast',
      );
      if (size(x!.shape) === 0 || size(dy!.shape) === 0) return null;
      const dw = b.alloc(size(a.filterShape));
      addon.convBackwardWeights(f32(b, x!), f32(b, dy!), dw, convParams(info));
      return out(b, [...a.filterShape], dw);
    }),
  );

  const matmul = (a: TensorInfo, bt: TensorInfo, transposeA: boolean, transposeB: boolean, b: Backend): TensorInfo | null => {
    if (!allF32(a, bt)) return null;
    const ra = a.shape.length;
    const rb = bt.shape.length;
    const M = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
    const K = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
    const K2 = transposeB ? bt.shape[rb - 1]! : bt.shape[rb - 2]!;
    const N = transposeB ? bt.shape[rb - 2]! : bt.shape[rb - 1]!;
    if (K !== K2) return null; // the cpu kernel raises tfjs's error
    const batchA = size(a.shape.slice(0, -2));
    const batchB = size(bt.shape.slice(0, -2));
    if (batchA !== batchB && batchA !== 1 && batchB !== 1) return null;
    const outer = tf.backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), bt.shape.slice(0, -2));
    const shape = [...outer, M, N];
    if (size(shape) === 0 || K === 0) return null;
    const c = b.alloc(size(shape));
    addon.matmul(f32(b, a), f32(b, bt), c, [batchA, batchB, M, K, N, transposeA ? 1 : 0, transposeB ? 1 : 0]);
    return out(b, shape, c);
  };

  ks.push(
    kernel('BatchMatMul', ({ a, b: bt }, b, attrs) => {
      const at = attrs as unknown as tf.BatchMatMulAttrs;
      return matmul(a!, bt!, at.transposeA, at.transposeB, b);
    }),
  );

  ks.push(
    kernel('_FusedMatMul', ({ a, b: bt, bias, preluActivationWeights }, b, attrs) => {
      const at = attrs as unknown as tf._FusedMatMulAttrs;
      if (preluActivationWeights != null || !(at.activation === 'linear' || at.activation === 'relu' || at.activation == null)) return null;
      if (bias != null && !allF32(bias)) return null;
      const r = matmul(a!, bt!, at.transposeA, at.transposeB, b);
      if (r == null) return null;
      let values = f32(b, r);
      if (bias != null) {
        let shape: number[];
        try {
          shape = tf.backend_util.assertAndGetBroadcastShape(r.shape, bias.shape);
        } catch {
          b.disposeIntermediateTensorInfo(r);
          return null;
        }
        if (size(shape) !== size(r.shape)) {
          b.disposeIntermediateTensorInfo(r);
          return null;
        }
        const v = b.alloc(values.length);
        addon.binary(BINARY.Add!, values, r.shape, f32(b, bias), bias.shape, v, r.shape);
        values = v;
      }
      if (at.activation === 'relu') addon.unary(UNARY.Relu!, values, values, 0);
      if (values === f32(b, r)) return r;
      b.disposeIntermediateTensorInfo(r);
      return out(b, r.shape, values);
    }),
  );

  for (const [name, op] of Object.entries(BINARY)) {
    ks.push(
      kernel(name, ({ a, b: bt }, b) => {
        if (!allF32(a, bt)) return null;
        const shape = tf.backend_util.assertAndGetBroadcastShape(a!.shape, bt!.shape);
        if (size(shape) === 0) return null;
        const c = b.alloc(size(shape));
        addon.binary(op, f32(b, a!), a!.shape, f32(b, bt!), bt!.shape, c, shape);
        return out(b, shape, c);
      }),
    );
  }

  for (const [name, op] of Object.entries(UNARY)) {
    ks.push(
      kernel(name, ({ x }, b, attrs) => {
        if (!allF32(x) || size(x!.shape) === 0) return null;
        const y = b.alloc(size(x!.shape));
        addon.unary(op, f32(b, x!), y, name === 'Step' ? ((attrs as unknown as tf.StepAttrs).alpha ?? 0) : 0);
        return out(b, [...x!.shape], y);
      }),
    );
  }

  for (const [name, op] of Object.entries(REDUCE)) {
    ks.push(
      kernel(name, ({ x }, b, attrs) => {
        if (!allF32(x)) return null;
        // Max names its axes reductionIndices; Sum, Mean and Min name them axis.
        const a = attrs as unknown as { axis?: number | number[]; reductionIndices?: number | number[]; keepDims: boolean };
        const axes = tf.util.parseAxisParam((name === 'Max' ? a.reductionIndices : a.axis)!, x!.shape);
        const [outShape] = tf.backend_util.computeOutAndReduceShapes(x!.shape, axes);
        if (size(x!.shape) === 0) return null;
        const reduced = b.alloc(size(outShape));
        addon.reduce(op, f32(b, x!), x!.shape, axes, reduced);
        return out(b, a.keepDims ? tf.backend_util.expandShapeToKeepDim(outShape, axes) : outShape, reduced);
      }),
    );
  }

  ks.push(
    kernel('Transpose', ({ x }, b, attrs) => {
      if (!allF32(x) || size(x!.shape) === 0) return null;
      const { perm } = attrs as unknown as tf.TransposeAttrs;
      const y = b.alloc(size(x!.shape));
      addon.transpose(f32(b, x!), x!.shape, perm, y);
      return out(
        b,
        perm.map((p) => x!.shape[p]!),
        y,
      );
    }),
  );

  // tf.batchNorm (inference form): per-channel statistics folded into one scale and shift.
  ks.push(
    kernel('FusedBatchNorm', ({ x, mean, variance, offset, scale }, b, attrs) => {
      const { varianceEpsilon } = attrs as unknown as tf.FusedBatchNormAttrs;
      const C = x!.shape.at(-1)!;
      const perChannel = (t: TensorInfo | undefined): boolean => t == null || size(t.shape) === C || size(t.shape) === 1;
      if (!allF32(x, mean, variance, offset, scale) || ![mean, variance, offset, scale].every(perChannel) || size(x!.shape) === 0) return null;
      const at = (t: TensorInfo | undefined, dflt: number): ((c: number) => number) => {
        if (t == null) return () => dflt;
        const v = f32(b, t);
        return v.length === 1 ? () => v[0]! : (c) => v[c]!;
      };
      const [m, v, o, s] = [at(mean, 0), at(variance, 1), at(offset, 0), at(scale, 1)];
      const sc = b.alloc(C);
      const sh = b.alloc(C);
      for (let c = 0; c < C; c++) {
        sc[c] = s(c) / Math.sqrt(v(c) + varianceEpsilon);
        sh[c] = o(c) - m(c) * sc[c]!;
      }
      const y = b.alloc(size(x!.shape));
      addon.scaleShift(f32(b, x!), sc, sh, y, size(x!.shape) / C, C, 0);
      return out(b, [...x!.shape], y);
    }),
  );

  // Our fused train-mode BatchNorm (+ ReLU) and its gradient, used by src/model/batchNorm.ts.
  ks.push({
    kernelName: FA_BN_TRAIN,
    backendName: NATIVE_BACKEND,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const b = backend as Backend;
      const { x, gamma, beta } = inputs as { x: TensorInfo; gamma: TensorInfo; beta: TensorInfo };
      const { epsilon, relu } = attrs as unknown as FusedBnAttrs;
      const C = x.shape.at(-1)!;
      const R = size(x.shape) / C;
      const y = b.alloc(size(x.shape));
      const mean = b.alloc(C);
      const variance = b.alloc(C);
      addon.bnTrainForward(f32(b, x), f32(b, gamma), f32(b, beta), y, mean, variance, R, C, epsilon, relu ? 1 : 0);
      return [out(b, [...x.shape], y), out(b, [C], mean), out(b, [C], variance)];
    },
  });
  ks.push({
    kernelName: FA_BN_TRAIN_GRAD,
    backendName: NATIVE_BACKEND,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const b = backend as Backend;
      const { x, dy, gamma, mean, variance, y } = inputs as Record<string, TensorInfo>;
      const { epsilon, relu } = attrs as unknown as FusedBnAttrs;
      const C = x!.shape.at(-1)!;
      const R = size(x!.shape) / C;
      const dx = b.alloc(size(x!.shape));
      const dgamma = b.alloc(C);
      const dbeta = b.alloc(C);
      addon.bnTrainBackward(
        f32(b, x!),
        f32(b, dy!),
        f32(b, gamma!),
        f32(b, mean!),
        f32(b, variance!),
        relu ? f32(b, y!) : null,
        dx,
        dgamma,
        dbeta,
        R,
        C,
        epsilon,
      );
      return [out(b, [...x!.shape], dx), out(b, [C], dgamma), out(b, [C], dbeta)];
    },
  });
  ks.push({
    kernelName: FA_SCALE_SHIFT,
    backendName: NATIVE_BACKEND,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const b = backend as Backend;
      const { x, scale, shift } = inputs as Record<string, TensorInfo>;
      const C = x!.shape.at(-1)!;
      const y = b.alloc(size(x!.shape));
      addon.scaleShift(f32(b, x!), f32(b, scale!), f32(b, shift!), y, size(x!.shape) / C, C, (attrs as unknown as { relu: boolean }).relu ? 1 : 0);
      return out(b, [...x!.shape], y);
    },
  });
  return ks;
}

/** Kernel names of the fused BatchNorm kernels (registered on 'native' only). */
export const FA_BN_TRAIN = 'FaBatchNormTrain';
export const FA_BN_TRAIN_GRAD = 'FaBatchNormTrainGrad';
export const FA_SCALE_SHIFT = 'FaScaleShift';
export interface FusedBnAttrs {
  epsilon: number;
  relu: boolean;
}

function registerFusedBnGradients(): void {
  if (tf.getGradient(FA_BN_TRAIN) == null) {
    tf.registerGradient({
      kernelName: FA_BN_TRAIN,
      inputsToSave: ['x', 'gamma'],
      outputsToSave: [true, true, true],
      // The batch statistics (outputs 1 and 2) feed only the running statistics: their gradients
      // are not propagated; the gradient through the normalisation itself is exact.
      gradFunc: (dys, saved, attrs) => {
        const dy = Array.isArray(dys) ? dys[0]! : dys;
        const [x, gamma, y, mean, variance] = saved as tf.Tensor[];
        // One kernel gives all three. Run here, not in the closures: the tape runs each closure
        // in its own tidy, which would dispose the two gradients a closure does not return.
        const [dx, dgamma, dbeta] = tf
          .engine()
          .runKernel(FA_BN_TRAIN_GRAD, { x: x!, dy, gamma: gamma!, mean: mean!, variance: variance!, y: y! }, attrs) as tf.Tensor[];
        return { x: () => dx!, gamma: () => dgamma!, beta: () => dbeta! };
      },
    });
  }
  if (tf.getGradient(FA_SCALE_SHIFT) == null) {
    tf.registerGradient({
      kernelName: FA_SCALE_SHIFT,
      inputsToSave: ['x', 'scale'],
      outputsToSave: [true],
      gradFunc: (dy, saved, attrs) => {
        const [x, scale, y] = saved as tf.Tensor[];
        const g = (): tf.Tensor => ((attrs as unknown as { relu: boolean }).relu ? tf.mul(dy as tf.Tensor, tf.step(y!)) : (dy as tf.Tensor));
        const axes = x!.shape.slice(0, -1).map((_, i) => i);
        return {
          x: () => tf.mul(g(), scale!),
          scale: () => tf.sum(tf.mul(g(), x!), axes),
          shift: () => tf.sum(g(), axes),
        };
      },
    });
  }
}
