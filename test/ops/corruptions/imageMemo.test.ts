import type { Image } from '../../../src/ops/image.ts';
import { Rng } from '../../../src/ops/rng.ts';
import { brightness, saturate } from '../../../src/ops/corruptions/colour.ts';
import type { Severity, SyncCorruption } from '../../../src/ops/corruptions/corruption.ts';
import { glassBlur } from '../../../src/ops/corruptions/glassBlur.ts';
import { ImageMemo } from '../../../src/ops/corruptions/imageMemo.ts';
import { zoomBlur } from '../../../src/ops/corruptions/zoomBlur.ts';

const bytes = Uint8Array.from({ length: 32 * 32 * 3 }, (_, i) => (i * 37 + ((i * i) >> 5)) & 255);
const as = (width: number, height: number, channels: number): Image => ({ width, height, channels, data: bytes });

describe('ImageMemo', () => {
  it('keeps values for the same image and forgets them for other bytes or another shape of the same bytes', () => {
    const memo = new ImageMemo();
    let made = 0;
    const get = (img: Image): number => {
      memo.see(img);
      return memo.get('k', () => ++made);
    };
    expect([get(as(32, 32, 3)), get(as(32, 32, 3))]).toEqual([1, 1]);
    expect(get(as(64, 16, 3))).toBe(2);
    expect(get(as(32, 32, 3))).toBe(3);
    expect(get({ ...as(32, 32, 3), data: bytes.map((v) => v ^ 1) })).toBe(4);
  });

  // A kernel's output may depend only on its input: not on what the same worker saw before.
  it.each<[string, SyncCorruption]>([
    ['zoom_blur', zoomBlur],
    ['glass_blur', glassBlur],
  ])('%s gives the same bytes for the same bytes in one shape, whatever shape came before', (_name, c) => {
    const run = (img: Image, severity: Severity): Uint8Array => {
      const out = new Uint8Array(img.data.length);
      c.apply(img, out, severity, 'cifar', Rng.at(0, 'corrupt', severity, 0));
      return out;
    };
    const all = (img: Image): Uint8Array[] => ([1, 2, 3, 4, 5] as Severity[]).map((s) => run(img, s));
    const other: Image = { ...as(32, 32, 3), data: bytes.map((v) => 255 - v) };
    all(other);
    const fresh = all(as(64, 16, 3));
    all(other);
    all(as(32, 32, 3));
    expect(all(as(64, 16, 3))).toEqual(fresh);
  });
});

describe('brightness and saturate', () => {
  it.each([
    ['brightness', brightness],
    ['saturate', saturate],
  ] as const)('%s refuses an image that is not RGB, naming the channel count', (name, c) => {
    const grey: Image = { width: 32, height: 32, channels: 1, data: new Uint8Array(1024) };
    expect(() => c.apply(grey, new Uint8Array(1024), 1, 'cifar', Rng.at(0, 'corrupt', 1, 0))).toThrow(`${name}: needs RGB images (3 channels), got 1`);
  });
});
