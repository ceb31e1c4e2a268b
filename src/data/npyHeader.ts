import type { FileHandle } from 'node:fs/promises';
import { NPY_ITEM_BYTES, normaliseDtype, type NpyDtype } from './npyDtype.ts';

/** A parsed `.npy` header: everything needed to find and size the data. */
export interface NpyHeader {
  /** Format version `[major, minor]`: 1.0, 2.0 or 3.0. */
  readonly version: readonly [number, number];
  /** The header's `descr`, normalised. */
  readonly dtype: NpyDtype;
  /** Array shape; `[]` for a 0-d array (one element). */
  readonly shape: readonly number[];
  /** Byte offset of the first element. */
  readonly dataOffset: number;
  /** Bytes of element data the shape and dtype call for. */
  readonly dataBytes: number;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
/** Magic, version and the shortest (v1.0, 2-byte) length field. */
const PREAMBLE = 10;

/**
 * Parses the header at the start of `bytes` (the whole file or at least its header).
 * Accepts C-order arrays only; a Fortran-order array of 2+ dimensions is rejected.
 *
 * @param name - file name for error messages
 * @throws Error naming the file and what is wrong: bad magic, unknown version, truncated or malformed header
 */
export function parseNpyHeader(bytes: Uint8Array, name: string): NpyHeader {
  if (bytes.length < PREAMBLE) throw new Error(`${name}: ${bytes.length} bytes is too short for a .npy file (its preamble alone is ${PREAMBLE})`);
  if (MAGIC.some((b, i) => bytes[i] !== b)) {
    const found = Array.from(bytes.subarray(0, 6), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new Error(`${name}: not a .npy file: expected magic 93 4e 55 4d 50 59 (\\x93NUMPY), found ${found}`);
  }
  const major = bytes[6]!;
  const minor = bytes[7]!;
  if (major < 1 || major > 3 || minor !== 0) throw new Error(`${name}: unsupported .npy format version ${major}.${minor} (supported: 1.0, 2.0, 3.0)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenBytes) throw new Error(`${name}: truncated .npy preamble: needs ${8 + lenBytes} bytes, file has ${bytes.length}`);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataOffset = 8 + lenBytes + headerLen;
  if (bytes.length < dataOffset) {
    throw new Error(`${name}: truncated .npy header: the preamble says the header ends at byte ${dataOffset}, file has ${bytes.length} bytes`);
  }
  // Versions 1 and 2 store the header as latin-1, version 3 as UTF-8 (NEP 1 / numpy.lib.format).
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(8 + lenBytes, dataOffset));
  const rawDescr = field(text, 'descr', `'([^']*)'|"([^"]*)"`, name, 'a dtype string (structured dtypes are not supported)');
  const fortran = field(text, 'fortran_order', '(True|False)', name, 'True or False');
  const shapeText = field(text, 'shape', '\\(([^)]*)\\)', name, 'a tuple');
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s !== '').map((s) => {
    // Python 2 wrote longs as e.g. `3L`.
    if (!/^\d+L?$/.test(s)) throw new Error(`${name}: .npy header shape (${shapeText}) has a non-integer dimension '${s}'`);
    return Number.parseInt(s, 10);
  });
  // For 0-d and 1-d arrays Fortran and C order are the same bytes.
  if (fortran === 'True' && shape.length > 1) {
    throw new Error(`${name}: fortran_order is True (column-major); only C-order arrays are supported: save np.ascontiguousarray(a) instead`);
  }
  const dtype = normaliseDtype(rawDescr, name);
  const dataBytes = shape.reduce((n, d) => n * d, 1) * NPY_ITEM_BYTES[dtype];
  if (!Number.isSafeInteger(dataBytes)) throw new Error(`${name}: .npy shape (${shapeText}) is too large`);
  return { version: [major, minor], dtype, shape, dataOffset, dataBytes };
}

/** The value text of `key` in the header's Python dict literal (first non-empty capture group). */
function field(text: string, key: string, value: string, name: string, expected: string): string {
  const m = new RegExp(`['"]${key}['"]\\s*:\\s*(?:${value})`).exec(text);
  const got = m?.slice(1).find((g) => g !== undefined);
  if (got === undefined) throw new Error(`${name}: .npy header has no '${key}' entry that is ${expected}; header: ${text.trim()}`);
  return got;
}

/**
 * The header bytes numpy (>= 1.23, which pads the shape for in-place growth) writes for a
 * C-order array: magic, version, length, dict, space padding to a 64-byte boundary, newline.
 *
 * @param version - 1, 2 or 3; default 1 unless the header needs more than 65535 bytes, as numpy does
 */
export function formatNpyHeader(dtype: NpyDtype, shape: readonly number[], version?: 1 | 2 | 3): Uint8Array {
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '${dtype}', 'fortran_order': False, 'shape': ${tuple}, }`;
  // numpy.lib.format._write_array_header: GROWTH_AXIS_MAX_DIGITS (21) minus the digits of shape[0].
  if (shape.length > 0) dict += ' '.repeat(Math.max(0, 21 - String(shape[0]).length));
  const wrap = (v: 1 | 2 | 3): Uint8Array => {
    const lenBytes = v === 1 ? 2 : 4;
    const padded = dict + ' '.repeat(64 - ((8 + lenBytes + dict.length + 1) % 64)) + '\n';
    const out = new Uint8Array(8 + lenBytes + padded.length);
    out.set(MAGIC);
    out.set([v, 0], 6);
    const view = new DataView(out.buffer);
    if (v === 1) view.setUint16(8, padded.length, true);
    else view.setUint32(8, padded.length, true);
    // The header is ASCII, so latin-1 and UTF-8 agree.
    out.set(new TextEncoder().encode(padded), 8 + lenBytes);
    return out;
  };
  if (version === 1 && dict.length + 64 > 0xffff) throw new RangeError(`.npy header of ${dict.length} bytes does not fit format version 1.0`);
  return wrap(version ?? (dict.length + 64 > 0xffff ? 2 : 1));
}

/**
 * Reads and parses the header of an open `.npy` file (two small reads; the data is not touched).
 *
 * @param name - file name for error messages
 */
export async function readNpyHeader(fh: FileHandle, name: string): Promise<NpyHeader> {
  const pre = new Uint8Array(12);
  const { bytesRead } = await fh.read(pre, 0, pre.length, 0);
  // Parse the preamble alone first: it tells how long the header is.
  const head = pre.subarray(0, bytesRead);
  const major = head[6] ?? 0;
  if (bytesRead < PREAMBLE || MAGIC.some((b, i) => head[i] !== b) || major < 1 || major > 3) parseNpyHeader(head, name);
  const lenBytes = major === 1 ? 2 : 4;
  const view = new DataView(pre.buffer);
  const headerLen = lenBytes === 2 ? view.getUint16(8, true) : view.getUint32(8, true);
  // Capped at the file size so a corrupt length cannot ask for gigabytes; parsing then reports the truncation.
  const all = new Uint8Array(Math.min(8 + lenBytes + headerLen, (await fh.stat()).size));
  const { bytesRead: got } = await fh.read(all, 0, all.length, 0);
  return parseNpyHeader(all.subarray(0, got), name);
}
