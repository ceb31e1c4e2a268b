import { Arena } from './kernels.ts';
import { threefry2x32 } from './threefry.ts';

/**
 * Independent purposes get independent keys, so that (say) the shuffle of epoch 3 and the
 * augmentation of sample 3 never share a random stream.
 */
export const Domain = {
  shuffle: 1,
  augment: 2,
  fourierEval: 3,
  corrupt: 4,
  init: 5,
  split: 6,
} as const;
export type DomainName = keyof typeof Domain;

/** Where an Rng stands: enough to rebuild it and continue with the same draws. */
export interface RngState {
  readonly key: readonly [number, number];
  readonly stream: number;
  readonly counter: number;
}

// Module-level aliases: inside jest's vm context each `Math.x` in a hot loop is a slow global lookup.
const { log, sqrt } = Math;

// Blocks are computed ahead, a batch at a time, by the SIMD kernel (wasm/threefry.c) into one
// thread-wide buffer. A stream reads its batch there while it is the last to have filled it
// (`batchOwner` holds its id); once another stream has, it computes its blocks again (they are
// a pure function of its key and counter), so the buffer is never copied.
const MAX_BATCH = 1024;
const batchArena = new Arena(8 * MAX_BATCH);
const batchInts = batchArena.ints(2 * MAX_BATCH);
const batchWords = new Uint32Array(batchInts.buffer, batchInts.byteOffset, 2 * MAX_BATCH);
let batchOwner = -1;
let streams = 0;

const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;

/**
 * A counter-based random stream: draw `n` of stream `s` under key `k` is Threefry(k, [s, n]).
 * `Rng.at(seed, domain, epoch, index)` is the stream of one sample in one epoch; its draws are a
 * pure function of those four numbers, whatever worker, chunk or batch size produced them.
 */
export class Rng {
  private readonly id = streams++;
  private spare = -1;
  private counter: number;
  /** Blocks `first` to `first + cached - 1` of this stream are in `batchWords` while `batchOwner` is its id. */
  private first = 0;
  private cached = 0;

  private constructor(
    private readonly k0: number,
    private readonly k1: number,
    private readonly stream: number,
    counter = 0,
  ) {
    this.counter = counter;
  }

  /**
   * The stream for `index` (e.g. a sample's position in the dataset) under `seed`, `domain`
   * and `epoch`. `seed` is an integer in [0, 2^53); epoch and index are integers in [0, 2^32).
   */
  static at(seed: number, domain: DomainName, epoch: number, index: number): Rng {
    const [k0, k1] = deriveKey(seed, Domain[domain], epoch);
    return new Rng(k0, k1, index >>> 0);
  }

  /** Rebuilds a stream from `state()`; its next draw is the one the original would have made. */
  static fromState(state: RngState): Rng {
    return new Rng(state.key[0], state.key[1], state.stream, state.counter);
  }

  /** The position of this stream, for logging and replay. */
  state(): RngState {
    return { key: [this.k0, this.k1], stream: this.stream, counter: this.counter };
  }

  /** A uniform unsigned 32-bit integer. */
  uint32(): number {
    if (this.spare >= 0) {
      const w = this.spare;
      this.spare = -1;
      return w;
    }
    const j = this.nextBlock();
    this.spare = batchWords[j + 1]!;
    return batchWords[j]!;
  }

  /** A uniform double in [0, 1) with 53 random bits, from one fresh counter block. */
  uniform(): number {
    this.spare = -1;
    const j = this.nextBlock();
    return ((batchWords[j]! >>> 5) * 67108864 + (batchWords[j + 1]! >>> 6)) / TWO_POW_53;
  }

  /**
   * A uniform double in [0, 1) with 32 random bits: half a counter block (the other half is the
   * next such draw). For bulk draws, where 2^-32 resolution is plenty and a block per draw is not.
   */
  uniform32(): number {
    return this.uint32() / TWO_POW_32;
  }

  /**
   * Fills `out` with standard normal draws by Marsaglia's polar method (numpy's legacy `gauss`):
   * (u, v) uniform in the unit disc from the two 32-bit halves of one counter block, both values
   * of each accepted pair used. About 0.64 blocks and one log per value, against two blocks and a
   * log, sqrt and cos for `normal()`.
   */
  normals(out: Float64Array): void {
    this.spare = -1;
    for (let i = 0; i < out.length;) {
      const j = this.nextBlock();
      // Centred on the cell, so u and v are symmetric about 0 and never exactly ±1.
      const u = (batchWords[j]! + 0.5) / 2147483648 - 1;
      const v = (batchWords[j + 1]! + 0.5) / 2147483648 - 1;
      const s = u * u + v * v;
      if (s >= 1) continue;
      const f = sqrt((-2 * log(s)) / s);
      out[i++] = f * u;
      if (i < out.length) out[i++] = f * v;
    }
  }

  /** The offset in `batchWords` of block `counter`'s two words; advances the counter past it. */
  private nextBlock(): number {
    let i = this.counter - this.first;
    if (batchOwner !== this.id) {
      // Another stream has filled the buffer since: start again from a small batch, so that
      // streams drawn in turn do not each compute large batches they lose at once.
      this.cached = 0;
      this.fill();
      i = 0;
    } else if (i >= this.cached) {
      this.fill();
      i = 0;
    }
    this.counter++;
    return 2 * i;
  }

  /**
   * Computes the blocks from `counter` on. Batches grow fourfold (8, 32, ... up to 1024 blocks) while
   * a stream keeps the buffer, so that a stream drawn a few times computes few blocks in vain and a
   * long one calls rarely.
   */
  private fill(): void {
    const n = Math.min(MAX_BATCH, this.cached === 0 ? 8 : 4 * this.cached);
    batchArena.k.threefry_blocks(this.k0, this.k1, this.stream, this.counter, n, batchInts.byteOffset);
    batchOwner = this.id;
    this.first = this.counter;
    this.cached = n;
  }

  /** A uniform double in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /** A uniform integer in [0, n), n < 2^32 (bias below 2^-21 for n < 2048). */
  int(n: number): number {
    return Math.floor((this.uint32() / TWO_POW_32) * n);
  }

  /** -1 or +1 with equal probability. */
  sign(): number {
    return this.uint32() & 1 ? 1 : -1;
  }

  /** True with probability p. */
  bernoulli(p: number): boolean {
    return this.uniform() < p;
  }

  /** One of `items`, uniformly. */
  choice<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /** A standard normal draw (Box-Muller; the second value is discarded so draws stay one per call). */
  normal(): number {
    const u = 1 - this.uniform();
    const v = this.uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** A Gamma(alpha, 1) draw (Marsaglia and Tsang 2000; alpha = 1 is an exact exponential). */
  gamma(alpha: number): number {
    if (alpha === 1) return -Math.log(1 - this.uniform());
    if (alpha < 1) return this.gamma(alpha + 1) * Math.pow(1 - this.uniform(), 1 / alpha);
    const d = alpha - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = 1 - this.uniform();
      if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
    }
  }

  /** A Dirichlet(alphas) draw, as normalised Gamma draws. */
  dirichlet(alphas: readonly number[]): number[] {
    const g = alphas.map((a) => this.gamma(a));
    const sum = g.reduce((s, x) => s + x, 0);
    return g.map((x) => x / sum);
  }

  /** A Beta(a, b) draw; Beta(1, 1) is drawn as one uniform. */
  beta(a: number, b: number): number {
    if (a === 1 && b === 1) return this.uniform();
    const x = this.gamma(a);
    return x / (x + this.gamma(b));
  }
}

/** The Threefry key for (seed, domain, epoch): the seed encrypts the pair (domain, epoch). */
function deriveKey(seed: number, domain: number, epoch: number): readonly [number, number] {
  // A chunk's samples share (seed, domain, epoch): remember the last key instead of re-deriving it.
  if (seed === last.seed && domain === last.domain && epoch === last.epoch) return last.key;
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be an integer in [0, 2^53), got ${seed}`);
  const out = new Uint32Array(2);
  threefry2x32(seed >>> 0, Math.floor(seed / TWO_POW_32) >>> 0, domain, epoch >>> 0, out);
  last = { seed, domain, epoch, key: [out[0]!, out[1]!] };
  return last.key;
}

let last = { seed: -1, domain: -1, epoch: -1, key: [0, 0] as readonly [number, number] };
