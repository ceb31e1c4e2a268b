import type { Checkpoint } from '../checkpoint.ts';
import { encodeModel, type OnnxNode, type OnnxTensor } from './onnxProto.ts';
import { META } from './inputContract.ts';

/** ONNX opset of the export: 13 has every op used here in its current form, and every runtime of the last years reads it. */
export const EXPORT_OPSET = 13;
const BN_EPS = 1e-5;

export interface WrnExportOptions {
  /** The training normalisation, written to the metadata (the graph itself takes normalised input). */
  readonly normalize: { readonly mean: readonly number[]; readonly std: readonly number[] };
  readonly strategy: string;
  /** SHA-256 of the checkpoint file, for provenance. */
  readonly checkpointSha256: string;
  /** Declared input size (default CIFAR's 32x32; the WRN itself takes any size). */
  readonly height?: number;
  readonly width?: number;
}

/**
 * Our WRN (any depth and width) as a standard ONNX graph, opset 13: input `input` float32
 * [batch, 3, H, W] (NCHW, batch symbolic), normalised as in training; output `logits` [batch,
 * classes]. Pre-activation blocks (BN → ReLU → Conv), so no BatchNorm directly follows the conv
 * whose input it normalises: BatchNorm stays as BatchNormalization nodes in inference mode
 * (running statistics, eps 1e-5); onnxruntime folds the one that does follow a conv (bn2) itself.
 * The normalisation, layout, channel order and scale go into metadata_props (`META`), where our
 * loader reads them; other runtimes get plain normalised-NCHW input, as for a PyTorch model.
 * Weights come from the checkpoint's arrays, in `createWrn`'s creation order: no tfjs needed.
 *
 * @throws Error when the checkpoint's tensors do not match its WRN configuration
 */
export function wrnToOnnx(checkpoint: Pick<Checkpoint, 'model' | 'params' | 'buffers'>, options: WrnExportOptions): Uint8Array {
  const { depth, widen, classes } = checkpoint.model;
  const n = (depth - 4) / 6;
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(widen) || widen < 1) throw new Error(`not a WRN configuration: depth ${depth}, widen ${widen}`);
  const widths = [16, 16 * widen, 32 * widen, 64 * widen];
  const params = [...checkpoint.params];
  const buffers = [...checkpoint.buffers];
  const initializers: OnnxTensor[] = [];
  const nodes: OnnxNode[] = [];
  const take = (from: Float32Array[], what: string, size: number): Float32Array => {
    const t = from.shift();
    if (!t || t.length !== size) throw new Error(`checkpoint ${what}: expected ${size} values for WRN-${depth}-${widen}, found ${t ? t.length : 'none'}`);
    return t;
  };
  const init = (name: string, dims: number[], values: Float32Array): string => {
    initializers.push({ name, dims, values });
    return name;
  };
  let id = 0;
  const out = (): string => `t${id++}`;

  /** A conv weight from tfjs's [kh, kw, cin, cout] to ONNX's [cout, cin, kh, kw]. */
  const conv = (name: string, x: string, k: number, cin: number, cout: number, stride: number): string => {
    const w = take(params, `${name} weight`, k * k * cin * cout);
    const t = new Float32Array(w.length);
    for (let i = 0; i < k; i++)
      for (let j = 0; j < k; j++)
        for (let c = 0; c < cin; c++) for (let o = 0; o < cout; o++) t[((o * cin + c) * k + i) * k + j] = w[((i * k + j) * cin + c) * cout + o]!;
    const y = out();
    const pad = (k - 1) / 2;
    nodes.push({
      op: 'Conv',
      inputs: [x, init(`${name}.weight`, [cout, cin, k, k], t)],
      outputs: [y],
      attributes: { kernel_shape: [k, k], strides: [stride, stride], pads: [pad, pad, pad, pad] },
    });
    return y;
  };
  const bnRelu = (name: string, x: string, c: number): string => {
    const gamma = take(params, `${name} gamma`, c);
    const beta = take(params, `${name} beta`, c);
    const mean = take(buffers, `${name} running mean`, c);
    const variance = take(buffers, `${name} running variance`, c);
    const y = out();
    const r = out();
    nodes.push({
      op: 'BatchNormalization',
      inputs: [
        x,
        init(`${name}.weight`, [c], gamma),
        init(`${name}.bias`, [c], beta),
        init(`${name}.running_mean`, [c], mean),
        init(`${name}.running_var`, [c], variance),
      ],
      outputs: [y],
      attributes: { epsilon: { float: BN_EPS } },
    });
    nodes.push({ op: 'Relu', inputs: [y], outputs: [r] });
    return r;
  };

  let h = conv('conv1', 'input', 3, 3, widths[0]!, 1);
  for (let g = 0; g < 3; g++) {
    for (let i = 0; i < n; i++) {
      const cin = i === 0 ? widths[g]! : widths[g + 1]!;
      const cout = widths[g + 1]!;
      const stride = i === 0 && g > 0 ? 2 : 1;
      const name = `block${g + 1}.layer.${i}`;
      // Same order as createWrn creates them: bn1, conv1, bn2, conv2, shortcut.
      const o = bnRelu(`${name}.bn1`, h, cin);
      const mid = bnRelu(`${name}.bn2`, conv(`${name}.conv1`, o, 3, cin, cout, stride), cout);
      const y = conv(`${name}.conv2`, mid, 3, cout, cout, 1);
      const sc = cin === cout ? h : conv(`${name}.convShortcut`, o, 1, cin, cout, stride);
      h = out();
      nodes.push({ op: 'Add', inputs: [y, sc], outputs: [h] });
    }
  }
  const pooled = out();
  const flat = out();
  nodes.push({ op: 'GlobalAveragePool', inputs: [bnRelu('bn1', h, widths[3]!)], outputs: [pooled] });
  nodes.push({ op: 'Flatten', inputs: [pooled], outputs: [flat], attributes: { axis: 1 } });
  const fcW = take(params, 'fc weight', widths[3]! * classes);
  const fcB = take(params, 'fc bias', classes);
  nodes.push({ op: 'Gemm', inputs: [flat, init('fc.weight', [widths[3]!, classes], fcW), init('fc.bias', [classes], fcB)], outputs: ['logits'] });
  if (params.length || buffers.length)
    throw new Error(`checkpoint has ${params.length} parameter and ${buffers.length} statistics tensors more than WRN-${depth}-${widen} uses`);

  const { height = 32, width = 32 } = options;
  return encodeModel({
    opset: EXPORT_OPSET,
    producer: { name: 'fourier-augmix', version: '1' },
    graph: {
      name: `WRN-${depth}-${widen}`,
      nodes,
      initializers,
      inputs: [{ name: 'input', dims: ['batch', 3, height, width] }],
      outputs: [{ name: 'logits', dims: ['batch', classes] }],
    },
    metadata: {
      [META.mean]: JSON.stringify(options.normalize.mean),
      [META.std]: JSON.stringify(options.normalize.std),
      [META.layout]: 'nchw',
      [META.channelOrder]: 'rgb',
      [META.scale]: '1',
      [META.strategy]: options.strategy,
      [META.architecture]: `WRN-${depth}-${widen}`,
      'fourier_augmix.checkpoint_sha256': options.checkpointSha256,
    },
  });
}
