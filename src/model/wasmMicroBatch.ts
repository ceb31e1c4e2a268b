/**
 * tfjs-wasm's heap stops at 4 GiB, and a training pass keeps every activation of the graph until
 * the backward pass. Measured on WRN-40-2: 63 images per pass fit (3.7 GB RSS), 96 abort; WRN-16-2
 * fits 192 (3.65 GB). Activation memory per image grows about with depth × widen, so the budget
 * is images ≤ WASM_BUDGET / (depth · widen), with margin below the measured limits.
 */
const WASM_BUDGET = 5120;

/**
 * Samples per forward/backward pass that fit the wasm heap for a WRN-depth-widen with `views`
 * images per sample, at most `batch`. Activations grow with the pixels of an image: the budget
 * was measured at 32x32 (1024 pixels).
 */
export function wasmMicroBatch(depth: number, widen: number, views: number, batch: number, pixels = 1024): number {
  return Math.max(1, Math.min(batch, Math.floor((WASM_BUDGET * 1024) / pixels / (depth * widen) / views)));
}
