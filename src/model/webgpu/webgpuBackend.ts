import * as tf from '@tensorflow/tfjs-core';
import { type AdapterSummary, type DawnModule, formatAdapter, type GpuDevice, hasGpuDeviceNode, openAdapter } from './gpuAdapter.ts';

/** The npm packages of this backend: Dawn's node bindings, and tfjs's WebGPU kernels. */
export const DAWN_PACKAGE = 'webgpu';
export const WEBGPU_PACKAGE = '@tensorflow/tfjs-backend-webgpu';
export const WEBGPU_BACKEND = 'webgpu';

/** A GPU error (validation, out of memory, internal, device lost): whatever was computed since is not trusted. */
export class GpuError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GpuError';
  }
}

/**
 * The device's first error, kept until the process ends. tfjs never looks at GPU errors: an
 * invalid pipeline (e.g. more storage buffers than the device allows) just leaves its output
 * unwritten. Every read of a result checks here, so garbage never leaves the GPU.
 */
class DeviceErrors {
  private first: string | null = null;

  record(kind: string, message: string): void {
    if (this.first !== null) return;
    // Dawn names the kernel's program in quotes, e.g. [ComputePipelineDescriptor ""AddNPackedProgram""].
    const kernel = /"(\w+Program)"/.exec(message)?.[1];
    const lines = message.split('\n').filter((l) => l.trim() !== '');
    this.first = `WebGPU ${kind}${kernel ? ` in ${kernel}` : ''}: ${lines[0] ?? 'no message'}`;
  }

  check(): void {
    if (this.first !== null) throw new GpuError(`${this.first} (results computed after a GPU error are not used; the run stops)`);
  }
}

/** The adapter and device of the registered WebGPU backend, or null before `prepareWebgpu` has succeeded. */
let registered: { readonly summary: AdapterSummary; readonly device: GpuDevice } | null = null;

export function webgpuAdapter(): AdapterSummary | null {
  return registered?.summary ?? null;
}

/** The device tfjs computes on (for kernels of one's own); its errors stop the run like tfjs's. */
export function webgpuDevice(): GpuDevice | null {
  return registered?.device ?? null;
}

/**
 * tfjs's AddN binds every input as one storage buffer, so it fails past the device's limit (16
 * on many GPUs, 8 by default). Re-registered to sum groups that fit, then the group sums.
 */
function chunkAddN(maxInputs: number): void {
  const config = tf.getKernel(tf.AddN, WEBGPU_BACKEND);
  if (config === undefined) return;
  const original = config.kernelFunc;
  const addN = (args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo => {
    const inputs = args.inputs as unknown as tf.TensorInfo[];
    if (inputs.length <= maxInputs) return original(args) as tf.TensorInfo;
    const partial: tf.TensorInfo[] = [];
    for (let i = 0; i < inputs.length; i += maxInputs) {
      const group = inputs.slice(i, i + maxInputs);
      partial.push(group.length === 1 ? group[0]! : (original({ ...args, inputs: group as unknown as tf.NamedTensorInfoMap }) as tf.TensorInfo));
    }
    const sum = addN({ ...args, inputs: partial as unknown as tf.NamedTensorInfoMap });
    for (const t of partial) if (!inputs.includes(t)) (args.backend as tf.KernelBackend).disposeData(t.dataId);
    return sum;
  };
  tf.unregisterKernel(tf.AddN, WEBGPU_BACKEND);
  tf.registerKernel({ ...config, kernelFunc: addN as tf.KernelFunc });
}

type WebgpuModule = { WebGPUBackend: new (device: GpuDevice, adapterInfo: unknown) => tf.KernelBackend };

/**
 * Opens an adapter and registers the `webgpu` tfjs backend on a device of our own, ready for
 * `tf.setBackend`. Returns null when registered, else why not (one line). Under `auto` a machine
 * with no GPU device node is skipped before Dawn loads, and a software adapter is refused;
 * asked for by name, a software adapter is used.
 */
export async function prepareWebgpu(auto: boolean, importer: (specifier: string) => Promise<unknown>): Promise<string | null> {
  if (registered !== null) return auto && registered.summary.software ? softwareRefusal(registered.summary) : null;
  if (auto && !hasGpuDeviceNode()) return 'no GPU on this machine (no /dev/dri/renderD* or /dev/nvidia*); backend=webgpu tries a software device';
  const dawn = (await importer(DAWN_PACKAGE)) as DawnModule & { default?: DawnModule };
  const opened = await openAdapter(dawn.default ?? dawn);
  if ('reasons' in opened) return `no WebGPU adapter (${opened.reasons.join('; ')})`;
  if (auto && opened.summary.software) return softwareRefusal(opened.summary);
  // Imported before navigator.gpu exists, so that the package does not register a factory of its
  // own that requests a device with tfjs's default limits.
  const mod = (await importer(WEBGPU_PACKAGE)) as WebgpuModule & { default?: WebgpuModule };
  const Base = (mod.WebGPUBackend ?? mod.default?.WebGPUBackend)!;
  const g = globalThis as { navigator?: { gpu?: unknown } };
  // The WebGPU classes and enums tfjs expects as globals (GPUBufferUsage, ...), and navigator.gpu,
  // whose presence is tfjs's test for WebGPU support; it also keeps Dawn's instance alive.
  Object.assign(globalThis, dawn.globals ?? dawn.default?.globals);
  g.navigator = { ...g.navigator, gpu: opened.gpu };

  // Every limit the adapter has, not WebGPU's defaults: with the default 8 storage buffers per
  // stage, tf.addN over more than 7 tensors compiles to an invalid pipeline.
  const { adapter } = opened;
  const requiredLimits: Record<string, number> = {};
  for (const key in adapter.limits) {
    const value = adapter.limits[key];
    if (typeof value === 'number') requiredLimits[key] = value;
  }
  const requiredFeatures = ['timestamp-query'].filter((f) => adapter.features.has(f));
  const device = await adapter.requestDevice({ requiredLimits, requiredFeatures });
  const errors = new DeviceErrors();
  const kinds: Record<string, string> = {
    GPUValidationError: 'validation error',
    GPUOutOfMemoryError: 'out-of-memory error',
    GPUInternalError: 'internal error',
  };
  device.onuncapturederror = (e) => errors.record(kinds[e.error.constructor.name] ?? 'error', e.error.message);
  void device.lost.then((info) => {
    if (info.reason !== 'destroyed') errors.record('device lost', info.message);
  });

  class CheckedWebGPUBackend extends Base {
    override async read(dataId: object): Promise<tf.backend_util.BackendValues> {
      const values = await super.read(dataId);
      errors.check();
      return values;
    }

    override readSync(dataId: object): tf.backend_util.BackendValues {
      let values: tf.backend_util.BackendValues;
      try {
        values = super.readSync(dataId);
      } catch (err) {
        // tfjs reads GPU data synchronously through an OffscreenCanvas, which Node lacks.
        if (err instanceof ReferenceError)
          throw new Error('webgpu: a tensor on the GPU cannot be read synchronously in Node (dataSync, arraySync); use await tensor.data()', { cause: err });
        throw err;
      }
      errors.check();
      return values;
    }
  }
  tf.registerBackend(WEBGPU_BACKEND, () => new CheckedWebGPUBackend(device, adapter.info));
  // One storage buffer per input plus one for the output.
  chunkAddN(device.limits.maxStorageBuffersPerShaderStage! - 1);
  registered = { summary: opened.summary, device };
  return null;
}

function softwareRefusal(s: AdapterSummary): string {
  return `only a software adapter (${formatAdapter(s)}); auto never picks one: ask for backend=webgpu to use it`;
}
