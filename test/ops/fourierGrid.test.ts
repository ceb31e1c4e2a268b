import { ALIGNMENTS, cellKey, flipSignsInto, fourierGrid, paperGrid, phaseOf } from '../../src/ops/fourierGrid.ts';
import { fourierBasis, toolboxPhase } from '../../src/ops/fourierBasis.ts';
import { inShard, parseShard } from '../../src/ops/shard.ts';
import { heatmapPixels } from '../../src/report/heatmap.ts';

describe('fourierGrid', () => {
  it("is the paper's grid by default: 514 waves x 4 norms x 2 alignments at φ = 3π/2, keys unique, indices in order", () => {
    const cells = fourierGrid(paperGrid());
    expect(cells).toHaveLength(514 * 4 * 2);
    expect(new Set(cells.map((c) => c.key)).size).toBe(cells.length);
    expect(cells.map((c) => c.index)).toEqual(cells.map((_, i) => i));
    expect(cells[0]!.phase).toBeCloseTo((3 * Math.PI) / 2, 15);
    expect(cells[0]).toMatchObject({ norm: 1, alignment: 'aligned', kx: -16, ky: -16, key: 'aligned/norm1/phase0.75/k-16,-16' });
    expect(cells.at(-1)).toMatchObject({ norm: 4, alignment: 'random-flip' });
  });

  it('maxK keeps the low frequencies only, and the toolbox convention maps phases with toolboxPhase', () => {
    const cells = fourierGrid({ height: 32, width: 32, phaseFactors: [0.75], convention: 'toolbox', norms: [1], alignments: ['aligned'], maxK: 1 });
    expect(cells.map((c) => [c.kx, c.ky])).toEqual([
      [-1, -1],
      [0, -1],
      [1, -1],
      [-1, 0],
      [0, 0],
    ]);
    expect(cells[0]!.phase).toBe(toolboxPhase(0.75));
    expect(phaseOf(0.75, 'paper')).toBe(1.5 * Math.PI);
    expect(cellKey({ kx: 3, ky: -2 }, 0.75, 2, 'random-flip')).toBe('random-flip/norm2/phase0.75/k3,-2');
  });

  it('kStep samples the whole spectrum: 34 of the 514 waves at step 4, and heatmaps fill each block from its sample', () => {
    const cells = fourierGrid({ height: 32, width: 32, phaseFactors: [0.75], convention: 'paper', norms: [1], alignments: ['aligned'], kStep: 4 });
    expect(cells).toHaveLength(34);
    expect(cells.every((c) => c.kx % 4 === 0 && c.ky % 4 === 0)).toBe(true);
    expect(Math.min(...cells.map((c) => c.kx))).toBe(-16);
    const values = cells.map((c) => ({ kx: c.kx, ky: c.ky, value: Math.hypot(c.kx, c.ky) }));
    const { grid } = heatmapPixels({ height: 32, width: 32, values, min: 0, max: 25, step: 4 });
    // k = (5, 3) (row 16 + 3, column 16 + 5) is nearest the sample (4, 4): its value, |(4, 4)|.
    expect(grid[(16 + 3) * 32 + 16 + 5]).toBeCloseTo(Math.hypot(4, 4), 12);
    expect(grid.every((v) => Number.isFinite(v))).toBe(true);
    // Without a step the same values leave the other cells empty.
    expect(heatmapPixels({ height: 32, width: 32, values, min: 0, max: 25 }).grid.filter(Number.isNaN).length).toBeGreaterThan(900);
  });
});

describe('flipSignsInto', () => {
  it('gives ±1 per image and channel as a pure function of (seed, wave, image index)', () => {
    const k = { kx: 3, ky: -5 };
    const all = new Float32Array(20 * 3);
    flipSignsInto(
      7,
      k,
      32,
      32,
      Int32Array.from({ length: 20 }, (_, i) => i),
      3,
      all,
    );
    expect([...all].every((s) => s === 1 || s === -1)).toBe(true);
    expect(new Set(all).size).toBe(2);
    // Image 13 alone, in another "batch": the same three signs.
    const one = new Float32Array(3);
    flipSignsInto(7, k, 32, 32, [13], 3, one);
    expect([...one]).toEqual([...all.subarray(39, 42)]);
    const otherWave = new Float32Array(60);
    flipSignsInto(
      7,
      { kx: 4, ky: -5 },
      32,
      32,
      Int32Array.from({ length: 20 }, (_, i) => i),
      3,
      otherWave,
    );
    expect([...otherWave]).not.toEqual([...all]);
    const otherSeed = new Float32Array(60);
    flipSignsInto(
      8,
      k,
      32,
      32,
      Int32Array.from({ length: 20 }, (_, i) => i),
      3,
      otherSeed,
    );
    expect([...otherSeed]).not.toEqual([...all]);
  });
});

describe('shards', () => {
  it('parse i/n (0-based) and split round-robin into disjoint parts that cover everything', () => {
    expect(parseShard('2/5')).toEqual({ index: 2, count: 5 });
    expect(parseShard(' 0 / 1 ')).toEqual({ index: 0, count: 1 });
    const n = 3;
    const owners = Array.from({ length: 100 }, (_, i) => [0, 1, 2].filter((s) => inShard(i, { index: s, count: n })));
    expect(owners.every((o) => o.length === 1)).toBe(true);
    expect(ALIGNMENTS).toEqual(['aligned', 'random-flip']);
  });

  it('reject bad specs with the text and what is expected', () => {
    expect(() => parseShard('3/3')).toThrow("shard '3/3': i must be in [0, 3) (shards count from 0)");
    expect(() => parseShard('1/0')).toThrow("shard '1/0': n must be >= 1");
    expect(() => parseShard('a/2')).toThrow("shard 'a/2': expected i/n with integers 0 <= i < n, e.g. 0/4");
    expect(() => parseShard('1')).toThrow('expected i/n');
  });

  it('fullPlane evaluates both waves of each pair (U(−k) = −U(k) aligned at 3π/2) and draws each in its own place', () => {
    const spec = { height: 8, width: 8, phaseFactors: [0.75], convention: 'paper' as const, norms: [1], alignments: ['aligned' as const] };
    expect(fourierGrid(spec)).toHaveLength(34);
    const full = fourierGrid({ ...spec, fullPlane: true });
    expect(full).toHaveLength(64);
    expect(new Set(full.map((c) => c.key)).size).toBe(64);
    const u = fourierBasis({ height: 8, width: 8, kx: 1, ky: 2, phase: phaseOf(0.75, 'paper'), norm: 1 });
    const v = fourierBasis({ height: 8, width: 8, kx: -1, ky: -2, phase: phaseOf(0.75, 'paper'), norm: 1 });
    u.forEach((x, i) => expect(v[i]).toBeCloseTo(-x, 6));
    // Values at k and −k differ: each stays in its own place; a lone k still fills −k.
    const { grid } = heatmapPixels({
      height: 8,
      width: 8,
      min: 0,
      max: 1,
      values: [
        { kx: 1, ky: 2, value: 0.25 },
        { kx: -1, ky: -2, value: 0.75 },
        { kx: 3, ky: 0, value: 0.5 },
      ],
    });
    expect(grid[(4 + 2) * 8 + 4 + 1]).toBe(0.25);
    expect(grid[(4 - 2) * 8 + 4 - 1]).toBe(0.75);
    expect(grid[4 * 8 + 4 + 3]).toBe(0.5);
    expect(grid[4 * 8 + 4 - 3]).toBe(0.5);
  });
});
