import { Rng } from '../../src/ops/rng.ts';
import { threefry2x32 } from '../../src/ops/threefry.ts';

const normalsOf = (r: Rng, n: number): number[] => {
  const z = new Float64Array(n);
  r.normals(z);
  return [...z];
};
const hex = (o: Uint32Array) => [...o].map((w) => w.toString(16).padStart(8, '0')).join(' ');

describe('threefry2x32', () => {
  // Known-answer vectors of Random123 (kat_vectors, threefry2x32_20), as JAX also tests them.
  it.each([
    [[0, 0], [0, 0], '6b200159 99ba4efe'],
    [[0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff], '1cb996fc bb002be7'],
    [[0x13198a2e, 0x03707344], [0x243f6a88, 0x85a308d3], 'c4923a9c 483df7a0'],
  ])('key %j counter %j gives %s', (key, ctr, want) => {
    const out = new Uint32Array(2);
    threefry2x32(key[0]!, key[1]!, ctr[0]!, ctr[1]!, out);
    expect(hex(out)).toBe(want);
  });
});

describe('Rng', () => {
  it('draws block n of its stream as threefry2x32(key, [stream, n]) across batches and the 2^32 counter wrap', () => {
    const start = 2 ** 32 - 1500;
    const state = { key: [0x9e3779b9, 0x7f4a7c15] as const, stream: 12345, counter: start };
    const r = Rng.fromState(state);
    const words = new Uint32Array(2);
    // 3000 blocks: batches of 8, 32, 128, 512 and 1024 blocks, and counters past 2^32 (mod 2^32).
    for (let n = start; n < start + 3000; n++) {
      threefry2x32(state.key[0], state.key[1], state.stream, n >>> 0, words);
      expect([r.uint32(), r.uint32()]).toEqual([words[0], words[1]]);
    }
    // A stream rebuilt mid-batch continues with the same blocks.
    const again = Rng.fromState(r.state());
    expect([again.uniform(), again.uint32()]).toEqual([r.uniform(), r.uint32()]);
  });

  it('gives each stream the same draws whether streams are drawn in turn or interleaved', () => {
    const draw = (r: Rng, k: number): number[] => (k % 3 === 0 ? [r.uniform()] : k % 3 === 1 ? [r.uint32()] : normalsOf(r, 3));
    const alone = [0, 1].map((s) => {
      const r = Rng.at(3, 'corrupt', 1, s);
      return Array.from({ length: 60 }, (_, k) => draw(r, k)).flat();
    });
    const a = Rng.at(3, 'corrupt', 1, 0);
    const b = Rng.at(3, 'corrupt', 1, 1);
    const mixed: number[][] = [[], []];
    for (let k = 0; k < 60; k++) {
      mixed[0]!.push(...draw(a, k));
      mixed[1]!.push(...draw(b, k));
    }
    expect(mixed).toEqual(alone);
  });

  it('gives the same draws for the same (seed, domain, epoch, index)', () => {
    const a = Rng.at(7, 'augment', 3, 42);
    const b = Rng.at(7, 'augment', 3, 42);
    const da = [a.uniform(), a.uint32(), a.normal(), a.gamma(2.5)];
    expect([b.uniform(), b.uint32(), b.normal(), b.gamma(2.5)]).toEqual(da);
  });

  it('gives different streams for different seeds, domains, epochs and indices', () => {
    const first = (r: Rng) => r.uniform();
    const ref = first(Rng.at(7, 'augment', 3, 42));
    expect(first(Rng.at(8, 'augment', 3, 42))).not.toBe(ref);
    expect(first(Rng.at(7, 'shuffle', 3, 42))).not.toBe(ref);
    expect(first(Rng.at(7, 'augment', 4, 42))).not.toBe(ref);
    expect(first(Rng.at(7, 'augment', 3, 43))).not.toBe(ref);
  });

  it('replays from a recorded state', () => {
    const r = Rng.at(1, 'augment', 0, 5);
    r.uniform();
    r.int(10);
    const state = r.state();
    const next = [r.uniform(), r.uniform(), r.int(1000)];
    const again = Rng.fromState(JSON.parse(JSON.stringify(state)));
    expect([again.uniform(), again.uniform(), again.int(1000)]).toEqual(next);
  });

  it('draws uniforms in [0, 1) with the right mean and integers in range', () => {
    const r = Rng.at(0, 'augment', 0, 0);
    let sum = 0;
    const counts = new Array(5).fill(0);
    for (let i = 0; i < 20000; i++) {
      const u = r.uniform();
      expect(u >= 0 && u < 1).toBe(true);
      sum += u;
      counts[r.int(5)]++;
    }
    expect(sum / 20000).toBeCloseTo(0.5, 1);
    for (const c of counts) expect(Math.abs(c - 4000)).toBeLessThan(300);
  });

  it('draws Gamma, Dirichlet and Beta with the right moments', () => {
    const r = Rng.at(3, 'augment', 0, 0);
    const n = 20000;
    let g = 0;
    let b = 0;
    for (let i = 0; i < n; i++) {
      g += r.gamma(0.5);
      b += r.beta(2, 6);
      const w = r.dirichlet([1, 1, 1]);
      expect(w.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
      expect(w.every((x) => x >= 0)).toBe(true);
    }
    expect(g / n).toBeCloseTo(0.5, 1);
    expect(b / n).toBeCloseTo(0.25, 1);
  });

  it('fills standard normals in bulk (polar method): moments, tails, one stream position per pair', () => {
    const z = new Float64Array(200_001);
    Rng.at(4, 'corrupt', 0, 0).normals(z);
    let sum = 0;
    let sq = 0;
    let beyond2 = 0;
    for (const v of z) {
      sum += v;
      sq += v * v;
      if (Math.abs(v) > 2) beyond2++;
    }
    const mean = sum / z.length;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(sq / z.length - mean * mean - 1)).toBeLessThan(0.01);
    // P(|Z| > 2) = 0.0455
    expect(Math.abs(beyond2 / z.length - 0.0455)).toBeLessThan(0.002);
    // The same stream gives the same values; a shorter fill is a prefix of a longer one.
    const again = new Float64Array(10);
    Rng.at(4, 'corrupt', 0, 0).normals(again);
    expect([...again]).toEqual([...z.subarray(0, 10)]);
    expect(z.every(Number.isFinite)).toBe(true);
  });

  it('draws 32-bit uniforms in [0, 1), two per counter block', () => {
    const a = Rng.at(9, 'corrupt', 1, 2);
    const xs = Array.from({ length: 20_000 }, () => a.uniform32());
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(Math.abs(xs.reduce((s, x) => s + x, 0) / xs.length - 0.5)).toBeLessThan(0.01);
    expect(a.state().counter).toBe(10_000);
  });

  it('rejects a seed that is not a non-negative safe integer', () => {
    expect(() => Rng.at(-1, 'augment', 0, 0)).toThrow(/seed must be an integer/);
    expect(() => Rng.at(1.5, 'augment', 0, 0)).toThrow(/seed must be an integer/);
  });
});
