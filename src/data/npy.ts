import { readFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import { allocateShared } from './allocateShared.ts';
import { writeFileAtomic } from './atomic.ts';
import { dtypeOf, NPY_ITEM_BYTES, type NpyData, type NpyDtype, type NpyWritable } from './npyDtype.ts';
import { formatNpyHeader, parseNpyHeader } from './npyHeader.ts';

/** An array read from a `.npy` file, elements in C (row-major) order. */
export interface NpyArray {
  /** The file's dtype, as numpy spells it (normalised: `'<u1'` reads as `'|u1'`). `<i8` data arrives as `Int32Array`. */
  readonly dtype: NpyDtype;
  /** `[]` for a 0-d array, whose `data` has one element. */
  readonly shape: readonly number[];
  readonly data: NpyData;
}

/** Options for `readNpy` / `parseNpy`. */
export interface NpyReadOptions {
  /** Put `data` in a `SharedArrayBuffer` (for datasets workers will view). Default false. */
  readonly shared?: boolean;
}

/** Options for `writeNpy` / `encodeNpy`. */
export interface NpyWriteOptions {
  /** Header format version; default 1.0 unless the header is too long for it, as numpy does. */
  readonly version?: 1 | 2 | 3;
}

/**
 * Decodes a whole `.npy` file held in memory.
 *
 * @param name - file name for error messages
 * @throws Error naming the file: bad magic/header, unsupported dtype, Fortran order, a size that
 *   disagrees with the header (expected and actual byte counts), `<i8` values outside int32
 */
export function parseNpy(bytes: Uint8Array, name: string, options: NpyReadOptions = {}): NpyArray {
  const header = parseNpyHeader(bytes, name);
  const { dtype, shape, dataOffset, dataBytes } = header;
  const expected = dataOffset + dataBytes;
  if (bytes.length !== expected) {
    const tuple = `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`;
    throw new Error(
      `${name}: ${bytes.length < expected ? 'truncated' : 'has trailing bytes'}: header says shape ${tuple} of ${dtype}, ` +
        `so ${dataOffset} header bytes + ${dataBytes} data bytes = ${expected} bytes expected, file has ${bytes.length}`,
    );
  }
  const raw = bytes.subarray(dataOffset, expected);
  return { dtype, shape, data: decode(dtype, raw, name, options.shared ?? false) };
}

/**
 * Reads a `.npy` file (format 1.0, 2.0 or 3.0; dtypes `NpyDtype`; C order).
 *
 * @param path - the file; error messages name it
 */
export async function readNpy(path: string, options: NpyReadOptions = {}): Promise<NpyArray> {
  return parseNpy(await readFile(path), path, options);
}

/** Copies little-endian element bytes into a fresh, aligned typed array. */
function decode(dtype: NpyDtype, raw: Uint8Array, name: string, shared: boolean): NpyData {
  // Typed arrays use host byte order; .npy data here is little-endian.
  if (NPY_ITEM_BYTES[dtype] > 1 && endianness() !== 'LE') throw new Error(`${name}: reading multi-byte .npy data needs a little-endian host`);
  const n = raw.length / NPY_ITEM_BYTES[dtype];
  if (dtype === '<i8') return int64ToInt32(raw, n, name, shared);
  const buf = shared ? allocateShared(raw.length) : new ArrayBuffer(raw.length);
  new Uint8Array(buf).set(raw);
  switch (dtype) {
    case '|u1': return new Uint8Array(buf);
    case '|i1': return new Int8Array(buf);
    case '<u2': return new Uint16Array(buf);
    case '<i2': return new Int16Array(buf);
    case '<i4': return new Int32Array(buf);
    case '<u4': return new Uint32Array(buf);
    case '<f4': return new Float32Array(buf);
    case '<f8': return new Float64Array(buf);
  }
}

/** int64 to int32, checking each value fits: the high word must be the sign extension of the low one. */
function int64ToInt32(raw: Uint8Array, n: number, name: string, shared: boolean): Int32Array {
  // A copy: Buffer.slice would alias, and the view must start 4-byte aligned.
  const words = new Int32Array(new Uint8Array(raw).buffer);
  const out = new Int32Array(shared ? allocateShared(n * 4) : new ArrayBuffer(n * 4));
  for (let i = 0; i < n; i++) {
    const lo = words[2 * i]!;
    if (words[2 * i + 1] !== lo >> 31) {
      const value = new DataView(raw.buffer, raw.byteOffset).getBigInt64(8 * i, true);
      throw new Error(`${name}: int64 element ${i} is ${value}, outside the int32 range this reader converts <i8 to`);
    }
    out[i] = lo;
  }
  return out;
}

/**
 * The bytes of a `.npy` file (what numpy >= 1.23 writes for the same C-order array).
 *
 * @param data - elements in C order; the typed array's type picks the dtype (`BigInt64Array` for `<i8`)
 * @param shape - non-negative integer dimensions whose product is `data.length`; `[]` for a 0-d array
 * @throws RangeError when the shape is invalid or disagrees with `data.length`
 */
export function encodeNpy(data: NpyWritable, shape: readonly number[], options: NpyWriteOptions = {}): Uint8Array {
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) throw new RangeError(`encodeNpy: shape [${shape.join(', ')}] must be non-negative integers`);
  const count = shape.reduce((n, d) => n * d, 1);
  if (count !== data.length) throw new RangeError(`encodeNpy: shape [${shape.join(', ')}] holds ${count} elements, data has ${data.length}`);
  if (data.BYTES_PER_ELEMENT > 1 && endianness() !== 'LE') throw new Error('encodeNpy: writing multi-byte .npy data needs a little-endian host');
  const header = formatNpyHeader(dtypeOf(data), shape, options.version);
  const out = new Uint8Array(header.length + data.byteLength);
  out.set(header);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), header.length);
  return out;
}

/**
 * Writes `data` as a `.npy` file atomically (see `writeFileAtomic`): readers never see a half-written file.
 *
 * @param shape - dimensions whose product is `data.length`; `[]` for a 0-d array
 */
export async function writeNpy(path: string, data: NpyWritable, shape: readonly number[], options: NpyWriteOptions = {}): Promise<void> {
  await writeFileAtomic(path, encodeNpy(data, shape, options));
}
