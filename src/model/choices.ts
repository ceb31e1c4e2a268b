// The names of backends and runtimes, apart from the code that loads them, so that parameter
// schemas can list them without loading tfjs.

/** The backends the model can run on, as the CLI and pipeline files name them, fastest first. */
export const BACKEND_NAMES = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'native', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
/** What the user may ask for: one backend, or `auto` for the fastest that loads. */
export const BACKEND_CHOICES = ['auto', ...BACKEND_NAMES] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/**
 * What runs a checkpoint: tfjs (the current backend), onnxruntime (the WRN exported in memory),
 * or `auto`: onnxruntime when it is installed and tfjs computes on the CPU.
 */
export const RUNTIMES = ['auto', 'tfjs', 'onnxruntime'] as const;
export type Runtime = (typeof RUNTIMES)[number];
