import * as tf from '@tensorflow/tfjs-core';
import type { Conv2DBackpropFilterAttrs, Conv2DBackpropInputAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

/*
 * Conv gradients for the wasm backend, both computed with wasm's own Conv2D (XNNPACK).
 * Stock tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter at all, so conv nets cannot train, and
 * its Conv2DBackpropInput is a scalar loop that dominates a training step. Convolutions on XNNPACK
 * are several times faster, and both gradients agree with the cpu backend to about 1e-6 relative.
 * The kernel functions run tf ops and return a Tensor, which the engine takes as the output;
 * ops run inside a kernel are not recorded on the gradient tape.
 */

const BACKEND = 'wasm';

/**
 * Registers the two conv gradient kernels on 'wasm'. Call after `tf.setBackend('wasm')` (the
 * native input-gradient kernel is kept as the fallback). Idempotent: returns false when the
 * kernels are already there.
 */
export function registerWasmGradKernels(): boolean {
  // Stock wasm has no Conv2DBackpropFilter: finding one means this already ran.
  if (tf.getKernel('Conv2DBackpropFilter', BACKEND) != null) return false;
  const native = tf.getKernel('Conv2DBackpropInput', BACKEND);
  if (native == null) {
    throw new Error("registerWasmGradKernels: the wasm backend is not loaded (import '@tensorflow/tfjs-backend-wasm' first)");
  }
  tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: BACKEND, kernelFunc: backpropFilter });
  tf.unregisterKernel('Conv2DBackpropInput', BACKEND);
  const config: KernelConfig = {
    kernelName: 'Conv2DBackpropInput',
    backendName: BACKEND,
    kernelFunc: backpropInputWithFallback(native.kernelFunc),
  };
  // The native kernel binds its wasm function in setupFunc; keep it so the fallback works.
  if (native.setupFunc != null) config.setupFunc = native.setupFunc;
  tf.registerKernel(config);
  return true;
}

/**
 * dW[kh,kw,ci,co] = Σ_{n,oh,ow} x[n, oh·s+kh·d−pt, ow·s+kw·d−pl, ci] · dy[n,oh,ow,co]: a conv of x
 * seen as [CI,H,W,N] with dy seen as an [OH,OW,N,CO] filter, the stride becoming the dilation.
 */
const backpropFilter: KernelFunc = ({ inputs, attrs }) => {
  const a = attrs as unknown as Conv2DBackpropFilterAttrs;
  const nchw = a.dataFormat === 'NCHW';
  return tf.tidy(() => {
    let x = asTensor(inputs.x!) as tf.Tensor4D;
    let dy = asTensor(inputs.dy!) as tf.Tensor4D;
    if (nchw) {
      x = tf.transpose(x, [0, 2, 3, 1]);
      dy = tf.transpose(dy, [0, 2, 3, 1]);
    }
    const [KH, KW, CI, CO] = a.filterShape;
    const info = tf.backend_util.computeConv2DInfo(x.shape, a.filterShape, a.strides, 1, a.pad, a.dimRoundingMode, false, 'channelsLast');
    const p = info.padInfo;
    const xt = tf.transpose(x, [3, 1, 2, 0]);
    const f = tf.transpose(dy, [1, 2, 0, 3]);
    let r = tf.conv2d(
      xt,
      f,
      [info.dilationHeight, info.dilationWidth],
      [
        [0, 0],
        [p.top, p.bottom],
        [p.left, p.right],
        [0, 0],
      ],
      'NHWC',
      [info.strideHeight, info.strideWidth],
    );
    // 'same' padding can leave extra rows/columns past the kernel extent.
    if (r.shape[1] !== KH || r.shape[2] !== KW) r = tf.slice(r, [0, 0, 0, 0], [CI, KH, KW, CO]);
    return tf.transpose(r, [1, 2, 0, 3]);
  });
};

/**
 * dX is the full correlation of dy, zero-dilated by the stride, with the filter flipped in space
 * and with its channel axes swapped. Falls back to `native` for NCHW, for inputs that are not
 * Tensors, and where the equivalent padding would be negative.
 */
function backpropInputWithFallback(native: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, attrs } = args;
    const a = attrs as unknown as Conv2DBackpropInputAttrs;
    const dy = inputs.dy;
    const filter = inputs.filter;
    if (!(dy instanceof tf.Tensor) || !(filter instanceof tf.Tensor) || (a.dataFormat != null && a.dataFormat !== 'NHWC')) {
      return native(args);
    }
    const info = tf.backend_util.computeConv2DInfo(
      a.inputShape,
      filter.shape as [number, number, number, number],
      a.strides,
      1,
      a.pad,
      a.dimRoundingMode,
      false,
      'channelsLast',
    );
    return inputGradViaConv(dy as tf.Tensor4D, filter as tf.Tensor4D, a.inputShape, info) ?? native(args);
  };
}

function inputGradViaConv(dy: tf.Tensor4D, w: tf.Tensor4D, inputShape: readonly number[], info: tf.backend_util.Conv2DInfo): tf.Tensor4D | null {
  const [N, H, W] = inputShape as [number, number, number, number];
  const [KH, KW, , CO] = w.shape;
  const { padInfo: p, strideHeight: sh, strideWidth: sw, outHeight: OH, outWidth: OW } = info;
  const dh = (OH - 1) * sh + 1;
  const dw = (OW - 1) * sw + 1;
  const pt = KH - 1 - p.top;
  const pl = KW - 1 - p.left;
  const pb = H - 1 + KH - dh - pt;
  const pr = W - 1 + KW - dw - pl;
  if (pt < 0 || pl < 0 || pb < 0 || pr < 0) return null;
  return tf.tidy(() => {
    let d: tf.Tensor4D = dy;
    if (sh > 1 || sw > 1) {
      const spread = tf.pad(tf.reshape(dy, [N, OH, 1, OW, 1, CO]), [
        [0, 0],
        [0, 0],
        [0, sh - 1],
        [0, 0],
        [0, sw - 1],
        [0, 0],
      ]);
      d = tf.slice(tf.reshape(spread, [N, OH * sh, OW * sw, CO]) as tf.Tensor4D, [0, 0, 0, 0], [N, dh, dw, CO]);
    }
    const flipped = tf.transpose(tf.reverse(w, [0, 1]), [0, 1, 3, 2]);
    return tf.conv2d(d, flipped, 1, [
      [0, 0],
      [pt, pb],
      [pl, pr],
      [0, 0],
    ]);
  });
}

/** Kernel inputs are Tensors when they come from ops (the usual case); wrap bare TensorInfos. */
function asTensor(t: TensorInfo): tf.Tensor {
  return t instanceof tf.Tensor ? t : tf.engine().makeTensorFromTensorInfo(t);
}
