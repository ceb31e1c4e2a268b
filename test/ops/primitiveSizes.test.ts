import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Image } from '../../src/ops/image.ts';
import * as ops from '../../src/ops/primitives.ts';

// The 13 primitives at 64x64, 224x224 and 48x80 against Pillow 9.4 (outputs kept as SHA-256;
// made by test/fixtures/make_pil_size_fixtures.py).
type Apply = (img: Image, param: number) => Image;
const PRIMITIVES: Record<string, Apply> = {
  autocontrast: (img) => ops.autocontrast(img),
  equalize: (img) => ops.equalize(img),
  posterize: ops.posterize,
  solarize: ops.solarize,
  rotate: ops.rotate,
  shearX: ops.shearX,
  shearY: ops.shearY,
  translateX: ops.translateX,
  translateY: ops.translateY,
  color: ops.color,
  contrast: ops.contrast,
  brightness: ops.brightness,
  sharpness: ops.sharpness,
};

interface Input {
  kind: string;
  width: number;
  height: number;
  channels: number;
  offset: number;
}
interface Case {
  op: string;
  param: number | null;
  input: number;
  sha256: string;
  /** Where glibc misrounds sin/cos: Pillow with correctly rounded ones, which ours equals. */
  exactTrigSha256?: string;
}
const dir = new URL('../fixtures/', import.meta.url).pathname;
const manifest = JSON.parse(readFileSync(`${dir}/pil-sizes.json`, 'utf8')) as { pillow: string; inputs: Input[]; cases: Case[] };
const bytes = new Uint8Array(readFileSync(`${dir}/pil-sizes.bin`));
const image = (s: Input): Image => ({
  width: s.width,
  height: s.height,
  channels: s.channels,
  data: bytes.slice(s.offset, s.offset + s.width * s.height * s.channels),
});
const sha256 = (img: Image): string => createHash('sha256').update(img.data).digest('hex');

describe('the primitives at other image sizes, against Pillow 9.4', () => {
  it('covers 64x64, 224x224 and a non-square size', () => {
    expect(manifest.pillow).toMatch(/^9\.4\.\d+$/);
    expect(manifest.inputs.map((i) => `${i.height}x${i.width}`)).toEqual(['64x64', '224x224', '48x80']);
  });

  for (const [name, apply] of Object.entries(PRIMITIVES)) {
    const cases = manifest.cases.filter((c) => c.op === name);
    it(`${name} equals Pillow bit for bit (${cases.length} cases)`, () => {
      expect(cases.length).toBeGreaterThanOrEqual(3);
      const failures = cases
        .filter((c) => sha256(apply(image(manifest.inputs[c.input]!), c.param ?? NaN)) !== (c.exactTrigSha256 ?? c.sha256))
        .map((c) => `${name}(${c.param}) on ${manifest.inputs[c.input]!.kind}`);
      expect(failures).toEqual([]);
    });
  }
});
