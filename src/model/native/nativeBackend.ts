import * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import os from 'node:os';
import { loadNativeAddon, NATIVE_BACKEND, type NativeAddon } from './addon.ts';
import { registerFusedBnGradients } from './fusedBatchNorm.ts';
import { checked, nativeKernels } from './kernels.ts';

/*
 * The 'native' tfjs backend: the cpu backend (its tensors are plain JS typed arrays) with the
 * kernels that dominate a WRN training step replaced by calls into our oneDNN addon (native/,
 * built by `npm ci` where Debian's libdnnl-dev is installed). The addon reads and writes the
 * tensors' own Float32Arrays in place; JS only allocates the outputs. Every other kernel is the
 * cpu backend's own, registered again under 'native', so every tfjs op works.
 */

/** Arrays below this many elements are left to V8 (cheap to allocate on its heap). */
const MIN_POOLED = 4096;
/** Outputs of at least this many elements (4 MiB) are allocated on huge pages by the addon. */
const MIN_HUGE = 1 << 20;

/**
 * The backend class: the cpu backend's storage and kernels, with the heavy kernels native.
 *
 * It also recycles the Float32Arrays its native kernels allocate. A fresh large typed array costs
 * a page fault per 4 KiB page on first write, and for a large convolution output the faults can
 * cost several times the convolution itself. An array goes back to the pool when its tensor's data is disposed, but only if this backend
 * allocated it and it never left the backend: `readSync`/`read` (dataSync and friends hand the
 * array itself to the caller) and any kernel whose output shares an input's buffer (the cpu
 * kernels Slice, Complex, Real, Imag do) disown it for good.
 */
export class NativeBackend extends MathBackendCPU {
  private readonly pool = new Map<number, Float32Array[]>();
  private readonly owned = new WeakSet<Float32Array>();
  private pooled = 0;
  /**
   * Most float32 elements kept in the pool: FA_NATIVE_POOL_MB, default a quarter of the machine's
   * memory up to 8 GiB. It must hold a whole step's outputs (gigabytes for a WRN-40-2 JSD step):
   * whatever does not fit is allocated fresh, with its page faults, every step.
   */
  readonly poolLimit = Number(process.env.FA_NATIVE_POOL_MB ?? Math.min(os.totalmem() / 4 / 2 ** 20, 8192)) * 2 ** 18;

  constructor(readonly addon: NativeAddon) {
    super();
    // The cpu backend's first write prints "looks like you are running TensorFlow.js in Node.js
    // ... install our node backend": not advice for this one.
    (this as unknown as { firstUse: boolean }).firstUse = false;
  }

  /** A Float32Array of n elements for a kernel output; its contents are arbitrary. */
  alloc(n: number): Float32Array {
    if (n < MIN_POOLED) return new Float32Array(n);
    const reused = this.pool.get(n)?.pop();
    if (reused) {
      this.pooled -= n;
      return reused;
    }
    const a = n >= MIN_HUGE ? this.addon.allocFloat32(n) : new Float32Array(n);
    this.owned.add(a);
    return a;
  }

  /** Elements now held in the pool (for tests). */
  get pooledElements(): number {
    return this.pooled;
  }

  private disown(values: unknown): void {
    this.owned.delete(values as Float32Array);
  }

  override disposeData(dataId: object, force = false): boolean {
    // Membership in `owned`, not instanceof: the addon's arrays belong to the main realm, which
    // is not the realm of code run under jest's VM.
    const values = (this.data.has(dataId) ? this.data.get(dataId).values : undefined) as Float32Array | undefined;
    const gone = super.disposeData(dataId, force);
    if (gone && values && this.owned.has(values) && this.pooled + values.length <= this.poolLimit) {
      let list = this.pool.get(values.length);
      if (list == null) this.pool.set(values.length, (list = []));
      list.push(values);
      this.pooled += values.length;
    }
    return gone;
  }

  override readSync(dataId: object): tf.backend_util.BackendValues {
    if (this.data.has(dataId)) this.disown(this.data.get(dataId).values);
    return super.readSync(dataId);
  }

  override read(dataId: object): Promise<tf.backend_util.BackendValues> {
    if (this.data.has(dataId)) this.disown(this.data.get(dataId).values);
    return super.read(dataId);
  }

  /** After a kernel: disowns every input array that an output shares a buffer with. */
  checkAliases(inputs: Record<string, TensorInfo | undefined>, result: TensorInfo | TensorInfo[]): void {
    const mine: Float32Array[] = [];
    const ids = new Set<object>();
    for (const t of Object.values(inputs)) {
      if (t == null || !this.data.has(t.dataId)) continue;
      ids.add(t.dataId);
      const v = this.data.get(t.dataId).values;
      if (this.owned.has(v as Float32Array)) mine.push(v as Float32Array);
    }
    if (mine.length === 0) return;
    const outs = Array.isArray(result) ? result : [result];
    const buffers: ArrayBufferLike[] = [];
    const collect = (t: TensorInfo): void => {
      // The same dataId (Reshape, Identity) is reference-counted: sharing it is safe.
      if (ids.has(t.dataId) || !this.data.has(t.dataId)) return;
      const d = this.data.get(t.dataId);
      if (d.values != null && ArrayBuffer.isView(d.values)) buffers.push(d.values.buffer);
      if (d.complexTensorInfos) {
        collect(d.complexTensorInfos.real);
        collect(d.complexTensorInfos.imag);
      }
    };
    outs.forEach(collect);
    for (const v of mine) if (buffers.includes(v.buffer)) this.owned.delete(v);
  }

  override dispose(): void {
    this.pool.clear();
    this.pooled = 0;
    super.dispose();
  }
}

let registered = false;

/**
 * Registers the 'native' backend and its kernels with tfjs, once. Returns false (registering
 * nothing) when the addon is unavailable; `loadNativeAddon().reason` says why. Threads start at
 * the machine's cores (`setNativeThreads`, or `selectBackend`'s `threads`, changes them).
 */
export function registerNativeBackend(): boolean {
  const { addon } = loadNativeAddon();
  if (addon == null) return false;
  if (registered) return true;
  addon.setThreads(os.availableParallelism());
  tf.registerBackend(NATIVE_BACKEND, () => new NativeBackend(addon), 1);
  const overrides = nativeKernels(addon);
  const names = new Set(overrides.map((k) => k.kernelName));
  for (const k of tf.getKernelsForBackend('cpu')) {
    if (names.has(k.kernelName)) continue;
    tf.registerKernel({ ...k, backendName: NATIVE_BACKEND, kernelFunc: checked(k.kernelFunc) });
  }
  for (const k of overrides) tf.registerKernel(k);
  registerFusedBnGradients();
  registered = true;
  return true;
}
