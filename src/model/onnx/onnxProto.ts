import { ProtoWriter, readFields } from './protobuf.ts';

/**
 * ONNX's messages as far as a float32 inference graph needs them, with the field numbers of
 * onnx/onnx.proto (IR version 7, the one that goes with opset 13).
 */

export const IR_VERSION = 7;
const FLOAT = 1;
const ATTR = { FLOAT: 1, INT: 2, INTS: 7 } as const;

/** An attribute value: a number is an INT (a float must say so), an array is INTS. */
export type Attribute = number | readonly number[] | { readonly float: number };

export interface OnnxNode {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes?: Readonly<Record<string, Attribute>>;
}

/** A float32 tensor: its values are written as raw little-endian bytes. */
export interface OnnxTensor {
  readonly name: string;
  readonly dims: readonly number[];
  readonly values: Float32Array;
}

/** A float32 graph input or output; a string dimension is symbolic (e.g. the batch). */
export interface OnnxValue {
  readonly name: string;
  readonly dims: readonly (number | string)[];
}

export interface OnnxModel {
  readonly opset: number;
  readonly producer: { readonly name: string; readonly version: string };
  readonly graph: {
    readonly name: string;
    readonly nodes: readonly OnnxNode[];
    readonly initializers: readonly OnnxTensor[];
    readonly inputs: readonly OnnxValue[];
    readonly outputs: readonly OnnxValue[];
  };
  /** ModelProto.metadata_props: free-form key/value strings that runtimes expose to callers. */
  readonly metadata: Readonly<Record<string, string>>;
}

function attribute(name: string, value: Attribute): ProtoWriter {
  const w = new ProtoWriter().string(1, name);
  if (typeof value === 'number') return w.int(20, ATTR.INT).int(3, value);
  if ('float' in value) return w.int(20, ATTR.FLOAT).float(2, value.float);
  return w.int(20, ATTR.INTS).packedInts(8, value);
}

function tensor(t: OnnxTensor): ProtoWriter {
  const size = t.dims.reduce((a, b) => a * b, 1);
  if (size !== t.values.length) throw new RangeError(`ONNX tensor ${t.name}: dims ${t.dims.join('x')} hold ${size} values, got ${t.values.length}`);
  // Float32Array bytes are in the platform's order; every platform Node runs on is little-endian, as ONNX's raw_data.
  return new ProtoWriter()
    .packedInts(1, t.dims)
    .int(2, FLOAT)
    .string(8, t.name)
    .bytes(9, new Uint8Array(t.values.buffer, t.values.byteOffset, t.values.byteLength));
}

function valueInfo(v: OnnxValue): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.dims) shape.message(1, typeof d === 'number' ? new ProtoWriter().int(1, d) : new ProtoWriter().string(2, d));
  const tensorType = new ProtoWriter().int(1, FLOAT).message(2, shape);
  return new ProtoWriter().string(1, v.name).message(2, new ProtoWriter().message(1, tensorType));
}

function node(n: OnnxNode, index: number): ProtoWriter {
  const w = new ProtoWriter();
  n.inputs.forEach((i) => w.string(1, i));
  n.outputs.forEach((o) => w.string(2, o));
  w.string(3, `${n.op}_${index}`).string(4, n.op);
  for (const [k, v] of Object.entries(n.attributes ?? {})) w.message(5, attribute(k, v));
  return w;
}

/** The bytes of an .onnx file (a serialised ModelProto). */
export function encodeModel(m: OnnxModel): Uint8Array {
  const g = new ProtoWriter();
  m.graph.nodes.forEach((n, i) => g.message(1, node(n, i)));
  g.string(2, m.graph.name);
  m.graph.initializers.forEach((t) => g.message(5, tensor(t)));
  m.graph.inputs.forEach((v) => g.message(11, valueInfo(v)));
  m.graph.outputs.forEach((v) => g.message(12, valueInfo(v)));
  const w = new ProtoWriter().int(1, IR_VERSION).string(2, m.producer.name).string(3, m.producer.version).message(7, g);
  w.message(8, new ProtoWriter().string(1, '').int(2, m.opset));
  for (const [key, value] of Object.entries(m.metadata)) w.message(14, new ProtoWriter().string(1, key).string(2, value));
  return w.finish();
}

/**
 * ModelProto.metadata_props of an .onnx file, without decoding the graph. Also a first check of
 * the file: a truncated one fails here, where it can be named, rather than inside onnxruntime.
 *
 * @throws RangeError saying where the bytes stop making sense
 */
export function readMetadata(bytes: Uint8Array): Map<string, string> {
  const text = new TextDecoder();
  const out = new Map<string, string>();
  const fields = readFields(bytes);
  if (!fields.some((f) => f.field === 7 && f.bytes)) throw new RangeError('no graph (field 7) in the file: not an ONNX model?');
  for (const f of fields) {
    if (f.field !== 14 || !f.bytes) continue;
    const entry = readFields(f.bytes);
    const key = entry.find((e) => e.field === 1)?.bytes;
    const value = entry.find((e) => e.field === 2)?.bytes;
    if (key) out.set(text.decode(key), value ? text.decode(value) : '');
  }
  return out;
}
