import { readFileSync } from 'node:fs';
import { flipCropInto } from '../../src/ops/flipCrop.ts';
import { createImage, type Image } from '../../src/ops/image.ts';
import { Arena } from '../../src/ops/kernels.ts';
import { normalizationTable, normalizeInto } from '../../src/ops/normalize.ts';
import { posterizeInto } from '../../src/ops/posterize.ts';
import { solarizeInto } from '../../src/ops/solarize.ts';
import { kernelsWasm } from '../../src/ops/wasm/kernelsWasm.ts';

function noise(width: number, height: number, channels: number, seed: number): Image {
  const img = createImage(width, height, channels);
  for (let i = 0; i < img.data.length; i++) img.data[i] = (Math.imul(i + seed, 2654435761) >>> 23) & 255;
  return img;
}

/** torchvision's flip then pad-and-crop, spelled out per sample. */
function naiveFlipCrop(src: Image, flip: boolean, dx: number, dy: number, pad: number): Uint8Array {
  const { width: w, height: h, channels: ch } = src;
  const out = new Uint8Array(src.data.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const sy = y + dy - pad;
      const fx = x + dx - pad;
      if (sy < 0 || sy >= h || fx < 0 || fx >= w) continue;
      const sx = flip ? w - 1 - fx : fx;
      for (let c = 0; c < ch; c++) out[(y * w + x) * ch + c] = src.data[(sy * w + sx) * ch + c]!;
    }
  }
  return out;
}

describe('WebAssembly kernels', () => {
  it('embed the committed kernels.wasm (run npm run build:wasm after editing the C)', () => {
    const file = readFileSync(new URL('../../src/ops/wasm/kernels.wasm', import.meta.url));
    expect(Buffer.from(kernelsWasm, 'base64').equals(file)).toBe(true);
  });

  it('flip/crop equals the per-sample definition for every offset, also with padding wider than the image', () => {
    const wrong: string[] = [];
    for (const [w, h, ch, pad] of [
      [32, 32, 3, 4],
      [5, 7, 1, 4],
      [3, 3, 3, 6],
    ] as const) {
      const src = noise(w, h, ch, w);
      const dst = createImage(w, h, ch);
      for (const flip of [false, true]) {
        for (let dy = 0; dy <= 2 * pad; dy++) {
          for (let dx = 0; dx <= 2 * pad; dx++) {
            dst.data.fill(0xa5);
            flipCropInto(src, dst, flip, dx, dy, pad);
            if (!Buffer.from(dst.data).equals(naiveFlipCrop(src, flip, dx, dy, pad))) wrong.push(`${w}x${h}x${ch} pad ${pad} flip ${flip} (${dx}, ${dy})`);
          }
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('solarize compares with any threshold as Pillow does (fractional, out of range, NaN)', () => {
    const src = noise(17, 3, 3, 1);
    for (const t of [-3, 0, 0.5, 1, 127.5, 128, 200.01, 255, 255.5, 256, 1000, NaN]) {
      const dst = createImage(17, 3, 3);
      solarizeInto(src, dst, t);
      expect(dst.data).toEqual(src.data.map((v) => (v < t ? v : 255 - v)));
    }
  });

  it('run in place on arena buffers, and on a JS image that is both source and destination', () => {
    const arena = new Arena(4096);
    const a: Image = { width: 17, height: 9, channels: 3, data: arena.bytes(17 * 9 * 3) };
    const b: Image = { width: 17, height: 9, channels: 3, data: arena.bytes(17 * 9 * 3) };
    a.data.set(noise(17, 9, 3, 2).data);
    posterizeInto(a, b, 3);
    expect(b.data).toEqual(a.data.map((v) => v & 0xe0));
    const js = noise(17, 9, 3, 2);
    posterizeInto(js, js, 3);
    expect(js.data).toEqual(b.data);
  });

  it('normalise through the per-channel table', () => {
    const src = noise(6, 5, 3, 3);
    const table = normalizationTable([0.5, 0.4, 0.3], [0.2, 0.25, 0.3]);
    const out = new Float32Array(src.data.length);
    normalizeInto(src.data, out, table, 3);
    expect(out).toEqual(Float32Array.from(src.data, (v, i) => table[(i % 3) * 256 + v]!));
  });

  it('refuse to allocate past the arena', () => {
    const arena = new Arena(100);
    expect(() => arena.bytes(arena.capacity + 1)).toThrow(RangeError);
  });
});
