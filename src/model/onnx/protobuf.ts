/**
 * The few protobuf wire-format pieces ONNX files need (https://protobuf.dev/programming-guides/encoding/):
 * varints, and length-delimited fields (strings, bytes, packed numbers, nested messages). No
 * schema: the callers in onnxProto.ts know ONNX's field numbers.
 */

const VARINT = 0;
const LEN = 2;
const I64 = 1;
const I32 = 5;

/** Builds one message; nested messages are built by their own writer and added as bytes. */
export class ProtoWriter {
  private readonly parts: Uint8Array[] = [];
  private length = 0;

  private push(bytes: Uint8Array): this {
    this.parts.push(bytes);
    this.length += bytes.length;
    return this;
  }

  private varint(value: number | bigint): this {
    // Negative int64 values are their two's complement, as protobuf encodes them: 10 bytes.
    let v = BigInt.asUintN(64, BigInt(value));
    const out: number[] = [];
    while (v >= 0x80n) {
      out.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    out.push(Number(v));
    return this.push(Uint8Array.from(out));
  }

  private tag(field: number, wire: number): this {
    return this.varint((field << 3) | wire);
  }

  /** An int32/int64/enum/bool field. */
  int(field: number, value: number | bigint): this {
    return this.tag(field, VARINT).varint(value);
  }

  bytes(field: number, value: Uint8Array): this {
    return this.tag(field, LEN).varint(value.length).push(value);
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  message(field: number, value: ProtoWriter): this {
    return this.bytes(field, value.finish());
  }

  /** A float field (wire type 5, little-endian). */
  float(field: number, value: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    return this.tag(field, I32).push(b);
  }

  /** A packed repeated int64 field. */
  packedInts(field: number, values: readonly number[]): this {
    const inner = new ProtoWriter();
    values.forEach((v) => inner.varint(v));
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

/** One field as read: its number and, for length-delimited fields, its bytes (else null). */
export interface ProtoField {
  readonly field: number;
  readonly bytes: Uint8Array | null;
}

/**
 * The top-level fields of a message, in file order; nested messages stay undecoded (read them with
 * another call). Used to find an ONNX model's metadata without decoding its graph.
 *
 * @throws RangeError when a field runs past the end (a truncated file) or has an unknown wire type
 */
export function readFields(bytes: Uint8Array): ProtoField[] {
  const fields: ProtoField[] = [];
  let at = 0;
  const varint = (): number => {
    let v = 0;
    for (let shift = 0; ; shift += 7) {
      if (at >= bytes.length) throw new RangeError(`ends inside a varint at byte ${at} (truncated?)`);
      const b = bytes[at++]!;
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return v;
    }
  };
  while (at < bytes.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (wire === VARINT) varint();
    else if (wire === I64 || wire === I32) at += wire === I64 ? 8 : 4;
    else if (wire === LEN) {
      const n = varint();
      if (at + n > bytes.length) throw new RangeError(`field ${field} needs ${n} bytes at byte ${at}, only ${bytes.length - at} remain (truncated?)`);
      fields.push({ field, bytes: bytes.subarray(at, at + n) });
      at += n;
      continue;
    } else throw new RangeError(`unknown wire type ${wire} at byte ${at} (not a protobuf message?)`);
    if (at > bytes.length) throw new RangeError(`field ${field} runs past the end (truncated?)`);
    fields.push({ field, bytes: null });
  }
  return fields;
}
