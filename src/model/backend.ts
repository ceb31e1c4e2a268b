import * as tf from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ensureGradients } from './gradients.ts';
import { loadNativeAddon, NATIVE_BACKEND, NATIVE_PACKAGE, setNativeThreads } from './native/addon.ts';
import { registerNativeBackend } from './native/nativeBackend.ts';
import { registerWasmGradKernels } from './wasmKernels.ts';
import { type AdapterSummary, formatAdapter } from './webgpu/gpuAdapter.ts';
import { DAWN_PACKAGE, prepareWebgpu, WEBGPU_BACKEND, WEBGPU_PACKAGE, webgpuAdapter } from './webgpu/webgpuBackend.ts';

import { BACKEND_NAMES, type BackendChoice, type BackendName } from './choices.ts';

export { BACKEND_CHOICES, BACKEND_NAMES, type BackendChoice, type BackendName } from './choices.ts';

/** One backend `selectBackend` tried, and why it was or was not taken. */
export interface BackendAttempt {
  readonly name: BackendName;
  readonly ok: boolean;
  /** Why it was not taken (or a short note when it was); one line. */
  readonly reason: string;
}

/** The backend now active on tfjs, and every backend tried on the way there, in order. */
export interface BackendSelection {
  readonly name: BackendName;
  readonly tried: readonly BackendAttempt[];
  /** On webgpu: the adapter it computes on. */
  readonly adapter?: AdapterSummary;
}

export interface SelectBackendOptions {
  /**
   * Load the SIMD build of the wasm binary (default true; Node 20 supports it). False loads the
   * plain build, several times slower (docs/benchmarks.md). Only takes effect
   * on the first initialisation of wasm in the process.
   */
  readonly wasmSimd?: boolean;
  /**
   * How a backend package is imported; defaults to a dynamic `import()`. Lets tests and embedders
   * simulate packages that are missing or broken.
   */
  readonly importer?: (specifier: string) => Promise<unknown>;
  /** Compute threads of the native backend (default: the machine's cores). */
  readonly threads?: number;
}

/** Raised when an explicitly requested backend cannot be used; `tried` says why. */
export class BackendUnavailableError extends Error {
  constructor(
    readonly backend: BackendName,
    readonly tried: readonly BackendAttempt[],
    message: string,
  ) {
    super(message);
    this.name = 'BackendUnavailableError';
  }
}

interface BackendSpec {
  readonly name: BackendName;
  /** The npm package that registers it. */
  readonly pkg: string;
  /** The name it registers under in tfjs (both tfjs-node packages register 'tensorflow'). */
  readonly tfName: string;
  /** What to tell the user when the package is missing. */
  readonly missingHint: string;
}

const SPECS: Readonly<Record<BackendName, BackendSpec>> = {
  'tensorflow-gpu': {
    name: 'tensorflow-gpu',
    pkg: '@tensorflow/tfjs-node-gpu',
    tfName: 'tensorflow',
    missingHint: 'it downloads libtensorflow with CUDA at install time; install it on a machine with network access and a CUDA GPU',
  },
  webgpu: {
    name: 'webgpu',
    pkg: WEBGPU_PACKAGE,
    tfName: WEBGPU_BACKEND,
    missingHint: `optional dependencies of this package (with ${DAWN_PACKAGE}, Dawn's prebuilt node bindings); npm install ${DAWN_PACKAGE} ${WEBGPU_PACKAGE}`,
  },
  tensorflow: {
    name: 'tensorflow',
    pkg: '@tensorflow/tfjs-node',
    tfName: 'tensorflow',
    missingHint: 'it downloads libtensorflow at install time; install it on a machine with network access',
  },
  native: {
    name: 'native',
    pkg: NATIVE_PACKAGE,
    tfName: NATIVE_BACKEND,
    missingHint: 'our addon, built from native/ by npm install when oneDNN is installed: apt-get install libdnnl-dev, then npm run build:native',
  },
  wasm: {
    name: 'wasm',
    pkg: '@tensorflow/tfjs-backend-wasm',
    tfName: 'wasm',
    missingHint: 'it is a regular dependency of this package; run npm install',
  },
  cpu: {
    name: 'cpu',
    pkg: '@tensorflow/tfjs-backend-cpu',
    tfName: 'cpu',
    missingHint: 'it is a regular dependency of this package; run npm install',
  },
};

/** What `auto` tries: the backends fastest first (training speeds in docs/benchmarks.md). */
export const AUTO_ORDER: readonly BackendName[] = BACKEND_NAMES;

/**
 * Makes a tfjs backend current and returns its name with the reasons for what was skipped.
 * `auto` takes the first of `AUTO_ORDER` that loads; a named backend that cannot load throws a
 * `BackendUnavailableError` naming the backend, its package and the cause. Packages are imported
 * only when tried, and selecting the backend that is already current changes nothing. On wasm,
 * the gradient kernels of `wasmKernels.ts` are registered (once) so that conv nets can train;
 * on every backend, tfjs's gradient functions are registered first (`ensureGradients`).
 */
export async function selectBackend(choice: BackendChoice, options: SelectBackendOptions = {}): Promise<BackendSelection> {
  if (choice !== 'auto' && !(choice in SPECS)) {
    throw new RangeError(`Unknown backend '${String(choice)}'; expected one of auto, ${Object.keys(SPECS).join(', ')}`);
  }
  await ensureGradients();
  const order = choice === 'auto' ? AUTO_ORDER : [choice];
  const tried: BackendAttempt[] = [];
  for (const name of order) {
    const attempt = await tryBackend(SPECS[name], options, choice === 'auto');
    tried.push(attempt);
    const adapter = name === 'webgpu' ? webgpuAdapter() : null;
    if (attempt.ok) return adapter ? { name, tried, adapter } : { name, tried };
  }
  if (choice !== 'auto') {
    const a = tried[0]!;
    throw new BackendUnavailableError(choice, tried, `${a.name}: ${a.reason}`);
  }
  throw new BackendUnavailableError('cpu', tried, `No tfjs backend could be loaded:\n${formatBackendSelection({ name: 'cpu', tried })}`);
}

/**
 * The choice and the reasons, one line per backend tried, for the CLI, e.g.
 * `  - tensorflow: @tensorflow/tfjs-node is not installed (…)` / `  * wasm: selected`.
 */
export function formatBackendSelection(selection: BackendSelection): string {
  return selection.tried.map((a) => `  ${a.ok && a.name === selection.name ? '*' : '-'} ${a.name}: ${a.reason}`).join('\n');
}

async function tryBackend(spec: BackendSpec, options: SelectBackendOptions, auto: boolean): Promise<BackendAttempt> {
  if (spec.name === 'webgpu') {
    // Dawn and the device are set up by us (limits, error checks); a missing package reads as for the others.
    try {
      const refused = await prepareWebgpu(auto, options.importer ?? ((specifier) => import(specifier)));
      if (refused !== null) return { name: spec.name, ok: false, reason: refused };
    } catch (err) {
      const pkg = firstLine(err).includes(WEBGPU_PACKAGE) ? WEBGPU_PACKAGE : DAWN_PACKAGE;
      return { name: spec.name, ok: false, reason: loadFailure({ ...spec, pkg }, err) };
    }
  }
  if (spec.name === 'native') {
    // A CommonJS package with a compiled addon: loaded by nativeBackend.ts. A stand-in importer
    // may still declare it missing or broken.
    if (options.importer) {
      try {
        await options.importer(spec.pkg);
      } catch (err) {
        return { name: spec.name, ok: false, reason: loadFailure(spec, err) };
      }
    }
    if (!registerNativeBackend()) return { name: spec.name, ok: false, reason: loadNativeAddon().reason ?? 'the addon is not available' };
    if (options.threads !== undefined) setNativeThreads(options.threads);
  }
  const importer = options.importer ?? ((specifier: string) => (specifier === NATIVE_PACKAGE ? Promise.resolve(null) : import(specifier)));
  let mod: unknown;
  try {
    // Importing registers the backend's factory; nothing initialises until setBackend.
    mod = await importer(spec.pkg);
  } catch (err) {
    return { name: spec.name, ok: false, reason: loadFailure(spec, err) };
  }
  if (tf.getBackend() === spec.tfName && isInitialised(spec.tfName)) {
    return { name: spec.name, ok: true, reason: 'selected (already current)' };
  }
  if (spec.name === 'wasm' && !isInitialised('wasm')) configureWasm(mod, options);
  let ok: boolean;
  try {
    // setBackend reports a failed async init as false, after logging a warning.
    ok = await tf.setBackend(spec.tfName);
  } catch (err) {
    return { name: spec.name, ok: false, reason: `${spec.pkg} loaded but the backend failed to start: ${firstLine(err)}` };
  }
  if (!ok) return { name: spec.name, ok: false, reason: `${spec.pkg} loaded but the backend failed to initialise` };
  if (spec.name === 'wasm') registerWasmGradKernels();
  const adapter = spec.name === 'webgpu' ? webgpuAdapter() : null;
  if (adapter?.software)
    return { name: spec.name, ok: true, reason: `selected: a software adapter (${formatAdapter(adapter)}), for testing; slower than native` };
  return { name: spec.name, ok: true, reason: adapter ? `selected: ${formatAdapter(adapter)}` : 'selected' };
}

type WasmModule = { setWasmPaths?: (prefix: string) => void };

/**
 * Points the wasm backend at its binaries before it initialises. The folder is resolved from this
 * file, so any cwd works; tfjs's default (relative to the main script) breaks under tsx and jest.
 */
function configureWasm(mod: unknown, options: SelectBackendOptions): void {
  if (options.wasmSimd === false) tf.env().set('WASM_HAS_SIMD_SUPPORT', false);
  // A CommonJS package seen from ESM may expose its exports as `default` only.
  const m = mod as (WasmModule & { default?: WasmModule }) | undefined;
  const setWasmPaths = m?.setWasmPaths ?? m?.default?.setWasmPaths;
  if (setWasmPaths == null) return; // a stand-in importer (tests); tfjs's default applies
  // main is dist/tf-backend-wasm.node.js; the .wasm binaries sit beside it. The prefix is
  // concatenated with the file name, hence the trailing separator.
  const dist = path.dirname(createRequire(import.meta.url).resolve(SPECS.wasm.pkg));
  setWasmPaths(`${dist}${path.sep}`);
}

/** True when tfjs already holds a started instance of `tfName` (unlike findBackend, starts nothing). */
function isInitialised(tfName: string): boolean {
  return tfName in tf.engine().registry;
}

function loadFailure(spec: BackendSpec, err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  const message = firstLine(err);
  if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && message.includes(spec.pkg)) {
    return `${spec.pkg} is not installed (${spec.missingHint})`;
  }
  return `${spec.pkg} failed to load: ${message}`;
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n', 1)[0]!;
}
