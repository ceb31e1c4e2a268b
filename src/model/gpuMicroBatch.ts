/**
 * Samples per forward/backward pass on WebGPU: a tensor lives in one storage buffer, and a binding
 * may not exceed the device's `maxStorageBufferBindingSize` (128 MiB on many GPUs). A WRN's largest
 * tensors are its first stage's activations and their gradients: views · m · H · W · 16·widen
 * float32 values for m samples. Returns the largest m, at most `batch`, that fits.
 */
export function gpuMicroBatch(maxBindingBytes: number, widen: number, views: number, batch: number, height: number, width: number): number {
  const perSample = views * height * width * 16 * widen * 4;
  return Math.max(1, Math.min(batch, Math.floor(maxBindingBytes / perSample)));
}
