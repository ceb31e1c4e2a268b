import { readFileSync } from 'node:fs';
import { encodeModel, readMetadata } from '../../../src/model/onnx/onnxProto.ts';
import { ProtoWriter, readFields } from '../../../src/model/onnx/protobuf.ts';

describe('protobuf wire format', () => {
  it('encodes varints, negative int64, strings, floats and packed ints as the spec does', () => {
    // Spec examples: field 1 = 150 is 08 96 01; field 2 = "testing" is 12 07 74 65 73 74 69 6e 67.
    expect([...new ProtoWriter().int(1, 150).finish()]).toEqual([0x08, 0x96, 0x01]);
    expect([...new ProtoWriter().string(2, 'testing').finish()]).toEqual([0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6e, 0x67]);
    expect([...new ProtoWriter().int(1, -1).finish()]).toEqual([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect([...new ProtoWriter().float(2, 1e-5).finish()]).toEqual([0x15, ...new Uint8Array(Float32Array.of(1e-5).buffer)]);
    // Packed repeated (field 4): 3, 270, 86942 -> 22 06 03 8e 02 9e a7 05.
    expect([...new ProtoWriter().packedInts(4, [3, 270, 86942]).finish()]).toEqual([0x22, 0x06, 0x03, 0x8e, 0x02, 0x9e, 0xa7, 0x05]);
  });

  it('reads back top-level fields, and names a truncated message', () => {
    const bytes = new ProtoWriter().int(1, 7).string(3, 'abc').message(5, new ProtoWriter().int(1, 300)).finish();
    const fields = readFields(bytes);
    expect(fields.map((f) => f.field)).toEqual([1, 3, 5]);
    expect(new TextDecoder().decode(fields[1]!.bytes!)).toBe('abc');
    expect(readFields(fields[2]!.bytes!)).toEqual([{ field: 1, bytes: null }]);
    expect(() => readFields(bytes.subarray(0, bytes.length - 1))).toThrow(/field 5 needs 3 bytes at byte \d+, only 2 remain \(truncated\?\)/);
  });
});

describe('ONNX messages', () => {
  it('round-trips metadata_props through encodeModel and readMetadata', () => {
    const bytes = encodeModel({
      opset: 13,
      producer: { name: 'test', version: '1' },
      metadata: { a: '[0.5]', 'b.c': 'nchw' },
      graph: {
        name: 'g',
        nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }],
        initializers: [],
        inputs: [{ name: 'x', dims: ['batch', 3] }],
        outputs: [{ name: 'y', dims: ['batch', 3] }],
      },
    });
    expect([...readMetadata(bytes)]).toEqual([
      ['a', '[0.5]'],
      ['b.c', 'nchw'],
    ]);
  });

  it('reads a torch-exported model (no metadata) and refuses bytes that are not a model', () => {
    expect(readMetadata(readFileSync('test/fixtures/onnx/wrn-10-1.onnx')).size).toBe(0);
    expect(() => readMetadata(new TextEncoder().encode('{"not": "onnx"}'))).toThrow(/not a protobuf message|truncated|no graph/);
  });
});
