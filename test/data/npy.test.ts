import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeNpy, parseNpy, readNpy, writeNpy, type NpyArray } from '../../src/data/npy.ts';
import type { NpyDtype, NpyWritable } from '../../src/data/npyDtype.ts';
import { formatNpyHeader } from '../../src/data/npyHeader.ts';
import { tmpDir } from './tmpDir.ts';

// Made by numpy with test/fixtures/make_npy_fixtures.py; manifest.json records what numpy saved.
const FIXTURES = fileURLToPath(new URL('../fixtures/npy/', import.meta.url));
interface Entry { descr: string; shape: number[]; version: [number, number]; roundtrip: boolean; values: number[] }
const manifest = JSON.parse(readFileSync(join(FIXTURES, 'manifest.json'), 'utf8')) as { fixtures: Record<string, Entry> };
const good = Object.entries(manifest.fixtures).filter(([, e]) => e.roundtrip);
const fixture = (name: string): string => join(FIXTURES, `${name}.npy`);
const tmp = tmpDir('npy');

/** What writeNpy needs to write the same dtype back: int64 data comes out of the reader as Int32Array. */
const writable = (arr: NpyArray): NpyWritable => (arr.dtype === '<i8' ? BigInt64Array.from(arr.data, (v) => BigInt(v)) : arr.data);

describe('readNpy on numpy-written fixtures', () => {
  test.each(good)('%s: dtype, shape and C-order values match numpy', async (name, e) => {
    const arr = await readNpy(fixture(name));
    expect(arr.dtype).toBe(e.descr);
    expect(arr.shape).toEqual(e.shape);
    expect(Array.from(arr.data)).toEqual(e.values);
  });

  test('a 0-d array has shape [] and one element', async () => {
    const arr = await readNpy(fixture('f8_scalar'));
    expect(arr.shape).toEqual([]);
    expect(Array.from(arr.data)).toEqual([2.5]);
  });

  test('int64 arrives as Int32Array when every value fits', async () => {
    const arr = await readNpy(fixture('i8_labels'));
    expect(arr.data).toBeInstanceOf(Int32Array);
    expect(Array.from(arr.data)).toEqual([0, 9, 3, -2147483648, 2147483647]);
  });

  test('shared: true puts the data in a SharedArrayBuffer; the default does not', async () => {
    expect((await readNpy(fixture('f4_2x3'), { shared: true })).data.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect((await readNpy(fixture('f4_2x3'))).data.buffer).not.toBeInstanceOf(SharedArrayBuffer);
    expect((await readNpy(fixture('i8_labels'), { shared: true })).data.buffer).toBeInstanceOf(SharedArrayBuffer);
  });
});

describe('writeNpy reproduces numpy byte for byte', () => {
  test.each(good)('%s', async (name, e) => {
    const original = readFileSync(fixture(name));
    const arr = await readNpy(fixture(name));
    const version = e.version[0] as 1 | 2 | 3;
    expect(Buffer.from(encodeNpy(writable(arr), arr.shape, { version }))).toEqual(original);
    const out = join(tmp, `${name}.npy`);
    await writeNpy(out, writable(arr), arr.shape, { version });
    expect(readFileSync(out)).toEqual(original);
  });

  test('the default version is 1.0, as numpy picks for short headers', () => {
    const bytes = encodeNpy(new Uint8Array(6), [2, 3]);
    expect([bytes[6], bytes[7]]).toEqual([1, 0]);
    expect(Buffer.from(bytes)).toEqual(readFileSync(fixture('u1_2x3')).subarray(0, bytes.length).fill(0, bytes.length - 6));
  });

  test('a shape that does not hold data.length elements is a RangeError naming both', () => {
    expect(() => encodeNpy(new Float32Array(5), [2, 3])).toThrow(new RangeError('encodeNpy: shape [2, 3] holds 6 elements, data has 5'));
    expect(() => encodeNpy(new Float32Array(1), [-1])).toThrow(RangeError);
  });
});

describe('rejected files say which file and what is wrong', () => {
  test('fortran_order True', async () => {
    await expect(readNpy(fixture('bad_fortran'))).rejects.toThrow(/bad_fortran\.npy: fortran_order is True .*ascontiguousarray/);
  });

  test('big-endian dtype', async () => {
    await expect(readNpy(fixture('bad_big_endian'))).rejects.toThrow(/bad_big_endian\.npy: dtype '>i4' is big-endian; only little-endian/);
  });

  test('int64 values outside int32', async () => {
    await expect(readNpy(fixture('bad_i8_out_of_range'))).rejects.toThrow(/bad_i8_out_of_range\.npy: int64 element 1 is 1099511627776, outside the int32 range/);
  });

  test('truncated data: names the file, the expected and the actual byte count', async () => {
    const whole = readFileSync(fixture('u1_hwc_2x4x4x3'));
    const cut = join(tmp, 'cut.npy');
    writeFileSync(cut, whole.subarray(0, whole.length - 10));
    await expect(readNpy(cut)).rejects.toThrow(
      `${cut}: truncated: header says shape (2, 4, 4, 3) of |u1, so 128 header bytes + 96 data bytes = 224 bytes expected, file has 214`,
    );
  });

  test('trailing bytes after the data', () => {
    const whole = readFileSync(fixture('i1_5'));
    expect(() => parseNpy(Buffer.concat([whole, Buffer.from([0])]), 'long.npy')).toThrow(/long\.npy: has trailing bytes: .*133 bytes expected, file has 134/);
  });

  test('bad magic', () => {
    expect(() => parseNpy(Buffer.from('PK\x03\x04 this is a zip file'), 'x.npz')).toThrow(/x\.npz: not a \.npy file: expected magic 93 4e 55 4d 50 59/);
  });

  test('too short for the preamble', () => {
    expect(() => parseNpy(new Uint8Array(4), 'tiny.npy')).toThrow('tiny.npy: 4 bytes is too short for a .npy file (its preamble alone is 10)');
  });

  test('unknown format version', () => {
    const bytes = readFileSync(fixture('u1_2x3'));
    bytes[6] = 4;
    expect(() => parseNpy(bytes, 'v4.npy')).toThrow('v4.npy: unsupported .npy format version 4.0 (supported: 1.0, 2.0, 3.0)');
  });

  test('header cut short', () => {
    expect(() => parseNpy(readFileSync(fixture('u1_2x3')).subarray(0, 50), 'h.npy')).toThrow(
      'h.npy: truncated .npy header: the preamble says the header ends at byte 128, file has 50 bytes',
    );
  });

  test('unsupported dtype lists the supported ones', () => {
    const bytes = formatNpyHeader('<c8' as NpyDtype, [0]);
    expect(() => parseNpy(bytes, 'c.npy')).toThrow("c.npy: unsupported dtype '<c8'; supported: |u1 |i1 <u2 <i2 <i4 <u4 <i8 <f4 <f8");
  });

  test('structured dtype (descr is a list)', () => {
    const text = "{'descr': [('a', '<i4')], 'fortran_order': False, 'shape': (1,), }";
    const bytes = Buffer.concat([Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, text.length, 0]), Buffer.from(text)]);
    expect(() => parseNpy(bytes, 's.npy')).toThrow(/s\.npy: \.npy header has no 'descr' entry that is a dtype string \(structured dtypes are not supported\)/);
  });
});
