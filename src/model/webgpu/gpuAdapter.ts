import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** The parts of the WebGPU API (Dawn's `webgpu` package) this backend uses, typed here so that nothing else needs DOM types. */
export interface GpuLimits {
  readonly [name: string]: number;
}
export interface GpuAdapterInfo {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
}
export interface GpuAdapter {
  readonly info: GpuAdapterInfo;
  readonly limits: GpuLimits;
  readonly features: ReadonlySet<string>;
  requestDevice(descriptor: { requiredLimits: Record<string, number>; requiredFeatures: string[] }): Promise<GpuDevice>;
}
export interface GpuErrorEvent {
  readonly error: { readonly message: string; readonly constructor: { readonly name: string } };
}
export interface GpuDevice {
  readonly limits: GpuLimits;
  readonly lost: Promise<{ readonly reason: string; readonly message: string }>;
  onuncapturederror: ((event: GpuErrorEvent) => void) | null;
  destroy(): void;
}
export interface Gpu {
  requestAdapter(options: { powerPreference: 'high-performance'; featureLevel: 'core' | 'compatibility' }): Promise<GpuAdapter | null>;
}
/** Dawn's node bindings: `create(options)` makes a `navigator.gpu`; `globals` are the WebGPU classes and enums. */
export interface DawnModule {
  create(options: string[]): Gpu;
  readonly globals: Record<string, unknown>;
}

/** The limits that decide what a model can run (shown by `fourier-augmix backends` and kept in run configs). */
export const KEY_LIMITS = ['maxStorageBuffersPerShaderStage', 'maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupStorageSize'] as const;

/** What the run used: enough to tell a software device from a GPU, and why a model may not fit. */
export interface AdapterSummary {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  /** Dawn's backend that gave the adapter. */
  readonly api: 'vulkan' | 'opengles' | 'default';
  /** A CPU rasteriser (llvmpipe, lavapipe, SwiftShader, softpipe): correct, and slower than the native backend. */
  readonly software: boolean;
  readonly limits: Readonly<Record<(typeof KEY_LIMITS)[number], number>>;
  /** Why the APIs tried before this one gave no adapter (e.g. no Vulkan loader). */
  readonly passedOver: readonly string[];
}

/** An adapter, opened and described, whose device has not been requested yet. */
export interface OpenedAdapter {
  /** Dawn's instance: it must outlive the device (a collected instance crashes the process). */
  readonly gpu: Gpu;
  readonly adapter: GpuAdapter;
  readonly summary: AdapterSummary;
}

const SOFTWARE = /llvmpipe|lavapipe|swiftshader|softpipe|software rasterizer/i;

/** True for the CPU rasterisers Mesa and Google ship: their names are the only mark they carry. */
export function isSoftwareAdapter(info: GpuAdapterInfo): boolean {
  return SOFTWARE.test(`${info.vendor} ${info.architecture} ${info.device} ${info.description}`);
}

/** One line: `llvmpipe (OpenGL ES 3.2 Mesa 22.3.6), opengles, software; 16 storage buffers per stage, 128 MiB per binding`. */
export function formatAdapter(s: AdapterSummary): string {
  const name = [s.vendor, s.architecture, s.device].filter((p) => p !== '').join(' ') || 'unnamed adapter';
  const mib = (n: number): string => `${Math.round(n / 2 ** 20)} MiB`;
  return (
    `${name}${s.description ? ` (${s.description})` : ''}, ${s.api}, ${s.software ? 'software' : 'hardware'}; ` +
    `${s.limits.maxStorageBuffersPerShaderStage} storage buffers per stage, ${mib(s.limits.maxStorageBufferBindingSize)} per binding`
  );
}

/**
 * Where Vulkan could come from on Linux: the loader `libvulkan.so.1` in the linker cache or on
 * `LD_LIBRARY_PATH`. Without it Dawn would only print a warning and find nothing.
 */
function hasVulkanLoader(): boolean {
  if (process.platform !== 'linux') return true;
  const dirs = (process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean);
  if (dirs.some((d) => existsSync(`${d}/libvulkan.so.1`))) return true;
  try {
    return readFileSync('/etc/ld.so.cache').includes('libvulkan.so.1');
  } catch {
    return false;
  }
}

/**
 * Whether this machine shows a GPU at all (Linux: a DRM render node or an NVIDIA device node), so
 * that `auto` does not load Dawn on machines where only a software device could answer.
 */
export function hasGpuDeviceNode(): boolean {
  if (process.platform !== 'linux') return true;
  const listed = (dir: string, re: RegExp): boolean => {
    try {
      return readdirSync(dir).some((n) => re.test(n));
    } catch {
      return false;
    }
  };
  return listed('/dev/dri', /^renderD\d+$/) || listed('/dev', /^nvidia\d+$/);
}

/**
 * Asks Dawn for an adapter: Vulkan (or the platform's own API) at the core feature level first,
 * then OpenGL ES at the compatibility level, which is what Mesa's stock drivers offer (Debian 12's
 * lavapipe lacks a feature Dawn's Vulkan backend requires). tfjs would ask for neither level itself.
 * Returns the adapter, or the reasons none was found.
 */
export async function openAdapter(dawn: DawnModule): Promise<OpenedAdapter | { readonly reasons: string[] }> {
  // Mesa's EGL needs a platform when there is no display; surfaceless renders off-screen. Set
  // before Dawn initialises EGL, and only where the user has not chosen one.
  process.env.EGL_PLATFORM ??= 'surfaceless';
  const reasons: string[] = [];
  const tries: { api: AdapterSummary['api']; options: string[]; featureLevel: 'core' | 'compatibility' }[] = [];
  if (hasVulkanLoader()) tries.push({ api: process.platform === 'linux' ? 'vulkan' : 'default', options: [], featureLevel: 'core' });
  else reasons.push('Vulkan: no loader (libvulkan.so.1; Debian: apt-get install libvulkan1)');
  if (process.platform === 'linux') tries.push({ api: 'opengles', options: ['backend=opengles'], featureLevel: 'compatibility' });
  for (const t of tries) {
    let why = 'no adapter';
    const gpu = dawn.create(t.options);
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance', featureLevel: t.featureLevel }).catch((err: unknown) => {
      why = err instanceof Error ? err.message.split('\n', 1)[0]! : String(err);
      return null;
    });
    if (adapter === null) {
      reasons.push(`${t.api}: ${why}`);
      continue;
    }
    const { vendor, architecture, device, description } = adapter.info;
    const limits = Object.fromEntries(KEY_LIMITS.map((k) => [k, adapter.limits[k] ?? 0])) as AdapterSummary['limits'];
    return {
      gpu,
      adapter,
      summary: { vendor, architecture, device, description, api: t.api, software: isSoftwareAdapter(adapter.info), limits, passedOver: reasons },
    };
  }
  return { reasons };
}
