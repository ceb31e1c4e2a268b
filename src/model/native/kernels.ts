import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { NATIVE_BACKEND, type NativeAddon } from './addon.ts';
import { FA_BN_TRAIN, FA_BN_TRAIN_GRAD, FA_SCALE_SHIFT, type FusedBnAttrs } from './fusedBatchNorm.ts';
import type { NativeBackend } from './nativeBackend.ts';

// The kernels that run on the addon, each falling back to the cpu backend's for what it does not cover.

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
export function checked(kernelFunc: KernelFunc): KernelFunc {
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

export function nativeKernels(addon: NativeAddon): KernelConfig[] {
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
