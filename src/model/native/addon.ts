import { createRequire } from 'node:module';
import { packageFile } from '../../packageFiles.ts';

/** The tfjs backend name the addon's kernels are registered under. */
export const NATIVE_BACKEND = 'native';

/** Where the addon's loader lives (native/ in this repository, built by `npm ci` when it can be). */
export const NATIVE_PACKAGE = 'native/index.cjs';
const LOADER = packageFile(NATIVE_PACKAGE);

/** The addon's functions (native/src/addon.cc). Arrays are Float32Arrays read or written in place. */
export interface NativeAddon {
  convForward(x: Float32Array, w: Float32Array, y: Float32Array, params: number[], bias: Float32Array | null, act: number, alpha: number): void;
  convBackwardData(dy: Float32Array, w: Float32Array, dx: Float32Array, params: number[]): void;
  convBackwardWeights(x: Float32Array, dy: Float32Array, dw: Float32Array, params: number[]): void;
  matmul(a: Float32Array, b: Float32Array, c: Float32Array, params: number[]): void;
  binary(op: number, a: Float32Array, aShape: number[], b: Float32Array, bShape: number[], out: Float32Array, outShape: number[]): void;
  unary(op: number, x: Float32Array, y: Float32Array, alpha: number): void;
  reduce(op: number, x: Float32Array, shape: number[], axes: number[], out: Float32Array): void;
  transpose(x: Float32Array, shape: number[], perm: number[], out: Float32Array): void;
  bnTrainForward(
    x: Float32Array,
    gamma: Float32Array,
    beta: Float32Array,
    y: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    rows: number,
    channels: number,
    eps: number,
    relu: number,
  ): void;
  bnTrainBackward(
    x: Float32Array,
    dy: Float32Array,
    gamma: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    y: Float32Array | null,
    dx: Float32Array,
    dgamma: Float32Array,
    dbeta: Float32Array,
    rows: number,
    channels: number,
    eps: number,
  ): void;
  scaleShift(x: Float32Array, scale: Float32Array, shift: Float32Array, y: Float32Array, rows: number, channels: number, relu: number): void;
  setThreads(n: number): void;
  getThreads(): number;
  info(): string;
  cacheSize(): number;
  /** A Float32Array of n elements in 2 MiB-aligned memory advised for transparent huge pages; contents arbitrary. */
  allocFloat32(n: number): Float32Array;
}

type Loaded = { addon: NativeAddon; reason: null } | { addon: null; reason: string };
let loaded: Loaded | null = null;

/**
 * Loads the addon once. Never throws: `reason` says why it is unavailable (package missing, build
 * skipped because oneDNN's headers were absent, or a load error), in one line.
 */
export function loadNativeAddon(): Loaded {
  if (loaded) return loaded;
  if (process.env.FA_NATIVE_DISABLE === '1') return (loaded = { addon: null, reason: 'disabled by FA_NATIVE_DISABLE=1' });
  // OpenMP threads that sleep when idle instead of spinning (read once, as libgomp loads). On a
  // shared or busy machine a spinning thread holds a core another process needs; a WRN-40-2 step
  // at 2 threads under load ran at half speed with libgomp's default spinning.
  process.env.OMP_WAIT_POLICY ??= 'passive';
  let mod: { addon: NativeAddon | null; reason: string | null };
  try {
    mod = createRequire(import.meta.url)(LOADER) as typeof mod;
  } catch (err) {
    return (loaded = { addon: null, reason: `${NATIVE_PACKAGE} failed to load: ${String((err as Error).message ?? err).split('\n', 1)[0]}` });
  }
  loaded = mod.addon ? { addon: mod.addon, reason: null } : { addon: null, reason: mod.reason ?? 'the addon is not built' };
  return loaded;
}

/** Threads the native kernels use (oneDNN and our loops share one OpenMP pool). */
export function setNativeThreads(n: number): void {
  const { addon } = loadNativeAddon();
  if (addon == null) throw new Error('setNativeThreads: the native backend is not available');
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`threads must be an integer >= 1; got ${n}`);
  addon.setThreads(n);
}

export function getNativeThreads(): number | null {
  return loadNativeAddon().addon?.getThreads() ?? null;
}
