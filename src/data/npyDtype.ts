/**
 * The `.npy` element types this project reads and writes, as numpy spells them in headers
 * (`arr.dtype.str`): little-endian, or `|` where byte order does not apply.
 */
export type NpyDtype = '|u1' | '|i1' | '<u2' | '<i2' | '<i4' | '<u4' | '<i8' | '<f4' | '<f8';

/** Typed arrays `readNpy` returns; `<i8` arrives as `Int32Array` (values must fit). */
export type NpyData = Uint8Array | Int8Array | Uint16Array | Int16Array | Int32Array | Uint32Array | Float32Array | Float64Array;

/** Typed arrays `writeNpy` accepts: `NpyData`, plus `BigInt64Array` to write `<i8`. */
export type NpyWritable = NpyData | BigInt64Array;

/** Bytes per element of each supported dtype. */
export const NPY_ITEM_BYTES: Readonly<Record<NpyDtype, number>> = {
  '|u1': 1, '|i1': 1, '<u2': 2, '<i2': 2, '<i4': 4, '<u4': 4, '<i8': 8, '<f4': 4, '<f8': 8,
};

/**
 * The supported dtype a header's `descr` string means, e.g. `'<u1'` and `'|u1'` both give `'|u1'`.
 *
 * @param name - file name for the error message
 * @throws Error naming the file, the dtype found and the supported ones (big-endian gets its own hint)
 */
export function normaliseDtype(raw: string, name: string): NpyDtype {
  const m = /^([<>|=]?)([a-z])(\d+)$/.exec(raw);
  const code = m ? `${m[2]}${m[3]}` : '';
  const order = m?.[1] ?? '';
  const oneByte = code === 'u1' || code === 'i1';
  if (oneByte) return `|${code}` as NpyDtype;
  const le = `<${code}`;
  if (m && le in NPY_ITEM_BYTES) {
    if (order === '<') return le as NpyDtype;
    if (order === '>') {
      throw new Error(`${name}: dtype '${raw}' is big-endian; only little-endian is supported (save with a.astype('${le}'))`);
    }
  }
  throw new Error(`${name}: unsupported dtype '${raw}'; supported: ${Object.keys(NPY_ITEM_BYTES).join(' ')}`);
}

/** The dtype `writeNpy` records for a typed array. */
export function dtypeOf(data: NpyWritable): NpyDtype {
  if (data instanceof Uint8Array) return '|u1';
  if (data instanceof Int8Array) return '|i1';
  if (data instanceof Uint16Array) return '<u2';
  if (data instanceof Int16Array) return '<i2';
  if (data instanceof Int32Array) return '<i4';
  if (data instanceof Uint32Array) return '<u4';
  if (data instanceof BigInt64Array) return '<i8';
  if (data instanceof Float32Array) return '<f4';
  if (data instanceof Float64Array) return '<f8';
  throw new TypeError(`no .npy dtype for ${Object.prototype.toString.call(data)}`);
}
