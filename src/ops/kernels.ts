import { kernelsWasm } from './wasm/kernelsWasm.ts';

/**
 * The exports of wasm/kernels.wasm (C sources beside it). Pointers are byte offsets into the
 * instance's memory; images are HWC uint8, n counts samples (pixels × channels).
 */
export interface Kernels {
  affine(s: number, d: number, w: number, h: number, ch: number, m0: number, m1: number, m2: number, m3: number, m4: number, m5: number): void;
  shear_rows(s: number, d: number, w: number, h: number, ch: number, b: number, c: number): void;
  shear_columns(s: number, d: number, w: number, h: number, ch: number, e: number, f: number): void;
  shift(s: number, d: number, w: number, h: number, ch: number, tx: number, ty: number): void;
  autocontrast(s: number, d: number, n: number, ch: number): void;
  equalize(s: number, d: number, n: number, ch: number): void;
  posterize(s: number, d: number, n: number, mask: number): void;
  solarize(s: number, d: number, n: number, threshold: number): void;
  flip_crop(s: number, d: number, w: number, h: number, ch: number, flip: number, dx: number, dy: number, pad: number): void;
  normalize(s: number, d: number, n: number, ch: number, table: number): void;
  scale(table: number, w: number, dst: number, n: number): void;
  mix(base: number, chains: number, width: number, scaled: number, m: number, out: number, n: number, ch: number): void;
  threefry_blocks(k0: number, k1: number, c0: number, c1: number, n: number, out: number): void;
}

const PAGE = 65536;
// Compiled once per thread, synchronously: works in Piscina workers and under jest alike.
const module = new WebAssembly.Module(Buffer.from(kernelsWasm, 'base64'));
const owners = new WeakMap<ArrayBufferLike, Arena>();
/** Where the module's own data (tables, stack) ends and free memory begins. */
const HEAP_BASE = (
  new WebAssembly.Instance(module, { env: { memory: new WebAssembly.Memory({ initial: 1, maximum: 1 }) } }).exports.__heap_base as WebAssembly.Global
).value as number;

/**
 * A kernels instance with its own memory, in which callers allocate the buffers they pass to the
 * kernels: typed-array views that JS code reads and writes directly and the kernels address by
 * offset, so nothing is copied. The memory is sized once and never grows (growing would detach
 * every view); the Augmenter gets one sized for its images.
 */
export class Arena {
  readonly k: Kernels;
  readonly buffer: ArrayBuffer;
  /** Free bytes when empty. */
  readonly capacity: number;
  private top = HEAP_BASE;

  /** Room for `bytes` bytes in up to 16 allocations (each is padded to 16 bytes). */
  constructor(bytes: number) {
    const pages = Math.ceil((HEAP_BASE + bytes + 256) / PAGE);
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    this.k = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as Kernels;
    this.buffer = memory.buffer;
    this.capacity = pages * PAGE - HEAP_BASE;
    owners.set(this.buffer, this);
  }

  /** The arena a view lives in, if any. */
  static of(view: ArrayBufferView): Arena | undefined {
    return owners.get(view.buffer);
  }

  /** `n` bytes, 16-aligned (SIMD loads); zero in a fresh arena. */
  bytes(n: number): Uint8Array {
    return new Uint8Array(this.buffer, this.take(n), n);
  }

  floats(n: number): Float32Array {
    return new Float32Array(this.buffer, this.take(n * 4), n);
  }

  ints(n: number): Int32Array {
    return new Int32Array(this.buffer, this.take(n * 4), n);
  }

  /** Frees every allocation (their views then alias the next ones). */
  clear(): void {
    this.top = HEAP_BASE;
  }

  private take(n: number): number {
    const at = this.top;
    if (at + n > this.buffer.byteLength) throw new RangeError(`arena of ${this.buffer.byteLength} bytes cannot hold ${n} more`);
    this.top = (at + n + 15) & ~15;
    return at;
  }
}

let spare: Arena | null = null;

/**
 * A thread-wide arena of at least `bytes` free bytes, emptied, for copying JS buffers in and out
 * of the kernels: valid until the next call (kernels are synchronous, so one serves every call).
 */
export function scratch(bytes: number): Arena {
  if (spare === null || spare.capacity < bytes) spare = new Arena(bytes);
  spare.clear();
  return spare;
}

/** Where a kernel reads (`src`) and writes (`dst`) for the current call; see {@link stage}. */
export interface Staged {
  k: Kernels;
  src: number;
  dst: number;
}

const staged: Staged = { k: null!, src: 0, dst: 0 };
let pending: Uint8Array | null = null;
let result: Uint8Array | null = null;

/**
 * Places a one-input kernel call on images. Buffers of one arena are used in place; anything
 * else is copied into {@link scratch}, and {@link unstage} copies the result back. `dst` may be
 * `src`.
 */
export function stage(src: Uint8Array, dst: Uint8Array): Staged {
  const a = Arena.of(src);
  if (a !== undefined && Arena.of(dst) === a) {
    staged.k = a.k;
    staged.src = src.byteOffset;
    staged.dst = dst.byteOffset;
    pending = null;
    return staged;
  }
  const io = scratch(src.length + dst.length);
  const s = io.bytes(src.length);
  s.set(src);
  result = io.bytes(dst.length);
  staged.k = io.k;
  staged.src = s.byteOffset;
  staged.dst = result.byteOffset;
  pending = dst;
  return staged;
}

/** Completes a {@link stage}d call: copies the result to `dst` when it was staged. */
export function unstage(): void {
  if (pending === null) return;
  pending.set(result!);
  pending = result = null;
}
