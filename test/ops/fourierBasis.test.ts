import { fourierBasis, toolboxPhase } from '../../src/ops/fourierBasis.ts';
import { perturbFloatInto, perturbUint8Into } from '../../src/ops/fourierPerturb.ts';
import { allWaveVectors, conjugate, gridPosition, waveVectors } from '../../src/ops/waveVectors.ts';

const norm = (a: ArrayLike<number>) => Math.sqrt(Array.from(a).reduce((s, x) => s + x * x, 0));

/** Naive 2-D DFT coefficient magnitude of a real H x W image at (ky, kx). */
function dftMagnitude(u: Float32Array, h: number, w: number, kx: number, ky: number): number {
  let re = 0;
  let im = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const a = -2 * Math.PI * ((kx * x) / w + (ky * y) / h);
      re += u[y * w + x]! * Math.cos(a);
      im += u[y * w + x]! * Math.sin(a);
    }
  }
  return Math.hypot(re, im);
}

/** Yin et al.'s definition: the real inverse DFT of a spectrum that is one-hot at k (and its conjugate). */
function inverseDftBasis(h: number, w: number, kx: number, ky: number, phase: number, n: number): Float64Array {
  const out = new Float64Array(h * w);
  const c = conjugate({ kx, ky }, h, w);
  const selfConjugate = c.kx === kx && c.ky === ky;
  const terms = selfConjugate
    ? [{ kx, ky, p: -phase, a: 1 }]
    : [
        { kx, ky, p: -phase, a: 0.5 },
        { kx: c.kx, ky: c.ky, p: phase, a: 0.5 },
      ];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let re = 0;
      for (const t of terms) re += t.a * Math.cos(2 * Math.PI * ((t.kx * x) / w + (t.ky * y) / h) + t.p);
      out[y * w + x] = re;
    }
  }
  const s = norm(out);
  return out.map((v) => (s === 0 ? 0 : (v * n) / s));
}

describe('fourierBasis', () => {
  it.each([
    [32, 32, 3, -5, 0, 1],
    [32, 32, -16, 7, (3 * Math.PI) / 2, 4],
    [32, 32, 0, 1, Math.PI / 3, 2.5],
    [24, 40, 11, -12, 1, 3],
    [31, 17, 8, 15, 5, 0.5],
  ])('%ix%i k=(%i,%i) φ=%f has the requested ℓ2 norm %f', (h, w, kx, ky, phase, n) => {
    expect(norm(fourierBasis({ height: h, width: w, kx, ky, phase, norm: n }))).toBeCloseTo(n, 5);
  });

  it.each([
    [32, 32, 3, -5, 0.7],
    [32, 32, -16, 0, 0.3],
    [32, 32, 16, 16, 0.2],
    [24, 40, -7, 12, 2],
  ])('equals the inverse DFT of a one-hot spectrum (Yin et al.) for %ix%i k=(%i,%i)', (h, w, kx, ky, phase) => {
    const ours = fourierBasis({ height: h, width: w, kx, ky, phase, norm: 3 });
    const ref = inverseDftBasis(h, w, kx, ky, phase, 3);
    for (let i = 0; i < ours.length; i++) expect(Math.abs(ours[i]! - ref[i]!)).toBeLessThan(1e-5);
  });

  it('has spectral support only at k and its conjugate', () => {
    const [h, w, kx, ky] = [16, 16, 3, -2];
    const u = fourierBasis({ height: h, width: w, kx, ky, phase: 0.4, norm: 1 });
    const c = conjugate({ kx, ky }, h, w);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const m = dftMagnitude(u, h, w, x, y);
        const atK = (x - kx) % w === 0 && (y - ky + h) % h === 0;
        const atC = (x - c.kx + w) % w === 0 && (y - c.ky + h) % h === 0;
        if (atK || atC) expect(m).toBeGreaterThan(1);
        else expect(m).toBeLessThan(1e-4);
      }
    }
  });

  it.each([
    [16, 16, (3 * Math.PI) / 2],
    [0, 0, Math.PI / 2],
    [0, 16, -Math.PI / 2],
  ])('gives zeros, not NaN, for the all-zero wave k=(%i,%i) φ=%f', (kx, ky, phase) => {
    const u = fourierBasis({ height: 32, width: 32, kx, ky, phase, norm: 4 });
    expect(u.every((v) => v === 0)).toBe(true);
  });

  it('converts the toolbox phase convention (cos(θ + π/4 + 2π·f))', () => {
    const [h, w, kx, ky, f] = [32, 32, 5, 2, 0.75];
    const u = fourierBasis({ height: h, width: w, kx, ky, phase: toolboxPhase(f), norm: 1 });
    const raw = Array.from({ length: h * w }, (_, i) =>
      Math.cos(2 * Math.PI * ((kx * (i % w)) / w + (ky * Math.floor(i / w)) / h) + Math.PI / 4 + 2 * Math.PI * f),
    );
    const s = norm(raw);
    raw.forEach((v, i) => expect(u[i]!).toBeCloseTo(v / s, 6));
  });

  it('indexes row-major with x along the width', () => {
    const u = fourierBasis({ height: 8, width: 16, kx: 1, ky: 0, phase: 0, norm: 1 });
    // A wave along x: constant down each column, varying along each row.
    expect(u[0]).toBeCloseTo(u[16]!, 7);
    expect(u[0]).not.toBeCloseTo(u[1]!, 3);
  });
});

describe('waveVectors', () => {
  it('lists each conjugate pair once: 514 waves for 32x32, covering the whole grid', () => {
    const k = waveVectors(32, 32);
    expect(k).toHaveLength(514);
    const seen = new Set<string>();
    for (const v of k) {
      const p = gridPosition(v, 32, 32);
      const q = gridPosition(conjugate(v, 32, 32), 32, 32);
      expect(seen.has(`${p.row},${p.col}`)).toBe(false);
      seen.add(`${p.row},${p.col}`);
      seen.add(`${q.row},${q.col}`);
    }
    expect(seen.size).toBe(1024);
  });

  it('has one wave per conjugate pair at any size, against an independent count of the pairs', () => {
    // Independent: the pairs {k, −k mod (H, W)} of all H·W positions, counted by brute force.
    const pairs = (h: number, w: number): number => {
      const keys = new Set<string>();
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          const a = y * w + x;
          const b = ((h - y) % h) * w + ((w - x) % w);
          keys.add(`${Math.min(a, b)},${Math.max(a, b)}`);
        }
      return keys.size;
    };
    for (const [h, w] of [
      [64, 64],
      [224, 224],
      [48, 32],
      [33, 31],
    ] as const) {
      const k = waveVectors(h, w);
      expect(k).toHaveLength(pairs(h, w));
      expect(allWaveVectors(h, w)).toHaveLength(h * w);
    }
    expect(waveVectors(64, 64)).toHaveLength((64 * 64) / 2 + 2);
    expect(waveVectors(224, 224)).toHaveLength((224 * 224) / 2 + 2);
  });

  it("follows the toolbox's row-major order of the centred grid", () => {
    expect(waveVectors(3, 3)).toEqual([
      { kx: -1, ky: -1 },
      { kx: 0, ky: -1 },
      { kx: 1, ky: -1 },
      { kx: -1, ky: 0 },
      { kx: 0, ky: 0 },
    ]);
    expect(waveVectors(31, 31)).toHaveLength((31 * 31 + 1) / 2);
  });
});

describe('Fourier perturbation', () => {
  const basis = fourierBasis({ height: 4, width: 4, kx: 1, ky: 1, phase: 0, norm: 2 });
  const src = Float32Array.from({ length: 48 }, (_, i) => (i % 7) / 7);

  it('adds the same wave to every channel when aligned, and clips to [0, 1]', () => {
    const dst = new Float32Array(48);
    perturbFloatInto(src, dst, basis, [1, 1, 1]);
    for (let p = 0; p < 16; p++) {
      for (let c = 0; c < 3; c++) expect(dst[p * 3 + c]).toBeCloseTo(Math.min(1, Math.max(0, src[p * 3 + c]! + basis[p]!)), 6);
    }
  });

  it('flips the wave per channel with the given signs', () => {
    const dst = new Float32Array(48);
    perturbFloatInto(src, dst, basis, [1, -1, 1]);
    expect(dst[1]).toBeCloseTo(Math.min(1, Math.max(0, src[1]! - basis[0]!)), 6);
  });

  it('agrees with the float path to within one level on uint8 images', () => {
    const img = { width: 4, height: 4, channels: 3, data: Uint8Array.from(src, (v) => Math.round(v * 255)) };
    const out = { ...img, data: new Uint8Array(48) };
    perturbUint8Into(img, out, basis, [1, -1, 1]);
    const f = new Float32Array(48);
    perturbFloatInto(
      Float32Array.from(img.data, (v) => v / 255),
      f,
      basis,
      [1, -1, 1],
    );
    for (let i = 0; i < 48; i++) expect(Math.abs(out.data[i]! - f[i]! * 255)).toBeLessThanOrEqual(1);
  });
});
