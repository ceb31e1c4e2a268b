import { allocateShared, sharedBytes, sharedInt32 } from '../../src/data/allocateShared.ts';
import { concat, imageBytes, subset, type Dataset } from '../../src/data/dataset.ts';

/** `count` 2x1 RGB images; image i's bytes are all `base + i`, its label `i % 3`. */
function tiny(name: string, count: number, base = 0, classes = ['a', 'b', 'c']): Dataset {
  const shape = { width: 2, height: 1, channels: 3 };
  const pixels = sharedBytes(count * 6);
  for (let i = 0; i < count; i++) pixels.fill(base + i, i * 6, (i + 1) * 6);
  const labels = sharedInt32(count);
  labels.forEach((_, i) => (labels[i] = i % 3));
  return { name, count, shape, pixels, labels, classes, source: [`${name}.bin`] };
}

describe('subset', () => {
  test('is a view: same buffers, the right images, writes show through', () => {
    const ds = tiny('d', 5);
    const s = subset(ds, 1, 3);
    expect([s.name, s.count, imageBytes(s.shape)]).toEqual(['d[1:4]', 3, 6]);
    expect(s.pixels.buffer).toBe(ds.pixels.buffer);
    expect(s.labels.buffer).toBe(ds.labels.buffer);
    expect([s.pixels[0], s.pixels[17], Array.from(s.labels)]).toEqual([1, 3, [1, 2, 0]]);
    s.pixels[0] = 99;
    expect(ds.pixels[6]).toBe(99);
  });

  test('count defaults to the rest; empty subsets are allowed', () => {
    expect(subset(tiny('d', 5), 2).count).toBe(3);
    expect(subset(tiny('d', 5), 5).count).toBe(0);
  });

  test('a slice that does not fit is a RangeError naming the dataset and range', () => {
    const ds = tiny('d', 5);
    expect(() => subset(ds, 3, 3)).toThrow(new RangeError(
      'subset of d: images [3, 6) do not fit in [0, 5); start and count must be non-negative integers with start + count <= count of the dataset',
    ));
    expect(() => subset(ds, -1, 1)).toThrow(RangeError);
    expect(() => subset(ds, 0.5, 1)).toThrow(RangeError);
  });
});

describe('concat', () => {
  test('copies the parts in order into one new shared buffer', () => {
    const c = concat([tiny('x', 2, 10), tiny('y', 3, 20)]);
    expect([c.name, c.count, c.source]).toEqual(['x+y', 5, ['x.bin', 'y.bin']]);
    expect(Array.from(c.pixels.filter((_, i) => i % 6 === 0))).toEqual([10, 11, 20, 21, 22]);
    expect(Array.from(c.labels)).toEqual([0, 1, 0, 1, 2]);
    expect(c.pixels.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(c.labels.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  test('refuses mismatched shapes or classes, naming the part', () => {
    const odd = { ...tiny('odd', 1), shape: { width: 1, height: 2, channels: 3 } };
    expect(() => concat([tiny('x', 1), odd])).toThrow('concat: odd has shape 1x2x3, expected 2x1x3 like x');
    expect(() => concat([tiny('x', 1), tiny('z', 1, 0, ['a', 'b'])])).toThrow('concat: z has classes [a, b], expected [a, b, c] like x');
    expect(() => concat([])).toThrow(new RangeError('concat: needs at least one dataset, got none'));
  });
});

describe('allocateShared', () => {
  test('returns zeroed shared memory of the requested size', () => {
    const buf = allocateShared(16);
    expect(buf).toBeInstanceOf(SharedArrayBuffer);
    expect(buf.byteLength).toBe(16);
    expect(sharedInt32(4).byteLength).toBe(16);
  });

  test('rejects negative or fractional sizes', () => {
    expect(() => allocateShared(-1)).toThrow(new RangeError('allocateShared: bytes must be a non-negative integer, got -1'));
    expect(() => allocateShared(1.5)).toThrow(RangeError);
  });
});
